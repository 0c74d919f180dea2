"""What the extract consumer asks the catalog (the port `SongCatalog`): the song with a folder
md5, and the songs with a chart hash. `PostgresSongCatalog` reads the catalog database,
`InMemorySongCatalog` holds songs in memory for tests of the consumer."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from shared.persistence import queries


class SongCatalog(Protocol):
    def song_with_md5(self, md5: str) -> uuid.UUID | None:
        """The library song whose folder md5 is `md5`, if any."""

    def songs_with_chart_hash(self, chart_hash: str) -> list[tuple[uuid.UUID, str]]:
        """(id, manifest key) of each library song with this chart hash, oldest first."""


class PostgresSongCatalog:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    def song_with_md5(self, md5: str) -> uuid.UUID | None:
        with self._sessions() as session:
            return queries.song_with_md5(session, md5)

    def songs_with_chart_hash(self, chart_hash: str) -> list[tuple[uuid.UUID, str]]:
        with self._sessions() as session:
            return queries.songs_with_chart_hash(session, chart_hash)


@dataclass(frozen=True)
class CatalogedSong:
    song_id: uuid.UUID
    md5: str
    chart_hash: str | None
    manifest_key: str


class InMemorySongCatalog:
    """Songs added in order, the oldest first."""

    def __init__(self) -> None:
        self.songs: list[CatalogedSong] = []

    def add(self, song: CatalogedSong) -> None:
        self.songs.append(song)

    def song_with_md5(self, md5: str) -> uuid.UUID | None:
        return next((song.song_id for song in self.songs if song.md5 == md5), None)

    def songs_with_chart_hash(self, chart_hash: str) -> list[tuple[uuid.UUID, str]]:
        return [(song.song_id, song.manifest_key) for song in self.songs
                if song.chart_hash == chart_hash]
