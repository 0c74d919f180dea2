"""Choosing songs to run through a stage again, and the message each stage starts from.

Messages are rebuilt from the catalog's present state, not copied from the past: a replay
never brings back a deleted song (it has no row) nor undoes a later edit (the row holds the
newest revision), and since every consumer is idempotent, replaying twice changes nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.events import Event, SongCataloged, SongExtracted, SongParsed
from shared.persistence.tables import Song
from shared.topology import CATALOG, PARSE, PUBLISH, Consumer

STAGES = ("parse", "catalog", "publish")


@dataclass(frozen=True)
class Selection:
    """Which songs: all of them when every field is empty."""

    upload_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None
    parser_older_than: int | None = None
    song_ids: tuple[uuid.UUID, ...] = ()


def select_songs(session: Session, selection: Selection) -> list[Song]:
    query = select(Song).order_by(Song.created_at, Song.id)
    if selection.upload_id is not None:
        query = query.where(Song.upload_id == selection.upload_id)
    if selection.since is not None:
        query = query.where(Song.created_at >= selection.since)
    if selection.until is not None:
        query = query.where(Song.created_at < selection.until)
    if selection.parser_older_than is not None:
        query = query.where(Song.parser_version < selection.parser_older_than)
    if selection.song_ids:
        query = query.where(Song.id.in_(selection.song_ids))
    return list(session.execute(query).scalars())


def outdated_song_ids(session: Session, parser_version: int) -> list[uuid.UUID]:
    """The songs an older parser than `parser_version` read (ids only: a whole library's worth
    is cheap to ask for again and again)."""
    return list(session.scalars(select(Song.id).where(Song.parser_version < parser_version)))


def stage_message(song: Song, stage: str) -> tuple[Consumer, Event]:
    """The consumer that runs `stage` and the message it starts from, for `song` as it is."""
    if stage == "parse":
        return PARSE, SongExtracted.about(
            song.id, song.revision, "replay", upload_id=song.upload_id,
            manifest_key=song.manifest_key, md5=song.md5)
    if stage == "catalog":
        return CATALOG, SongParsed.about(
            song.id, song.revision, song.parser_version, upload_id=song.upload_id,
            manifest_key=song.manifest_key, md5=song.md5, parser_version=song.parser_version,
            name=song.title, artist=song.artist, album=song.album, genre=song.genre,
            year=song.year, charter=song.charter, song_length_ms=song.song_length_ms,
            chart_file=song.chart_file, scan=song.metadata_)
    if stage == "publish":
        return PUBLISH, SongCataloged.about(
            song.id, song.revision, song.parser_version, upload_id=song.upload_id,
            manifest_key=song.manifest_key, content_path=song.file_path)
    raise ValueError(f"unknown stage {stage!r}; choose one of {', '.join(STAGES)}")
