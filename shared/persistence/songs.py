"""The one writer of the `songs` and `song_tombstones` tables (called by the catalog consumer): a
parsed song revision goes in, once, whatever the redeliveries.

Functions take an open session; the caller owns the transaction. They return what happened so
that the consumer can emit the matching event even when the effect was committed earlier.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

from sqlalchemy import Select, TextClause, delete, func, inspect, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, defer

from shared.events import SongDeleted, SongParsed
from shared.layout import song_folder, with_artist_dir
from shared.persistence.conflict_inserts import column_names, insert_new
from shared.persistence.scan_columns import scan_columns
from shared.persistence.song_charts import replace_song_charts
from shared.persistence.tables import Song, SongTombstone


@dataclass(frozen=True)
class Cataloged:
    content_path: str
    previous_content_path: str | None = None


@dataclass(frozen=True)
class AlreadyInLibrary:
    existing_song_id: uuid.UUID


@dataclass(frozen=True)
class Outdated:
    """The event is older than the song's current revision, or the song was deleted."""

    why: str


Outcome = Cataloged | AlreadyInLibrary | Outdated

WITHOUT_SCAN = (defer(Song.metadata_),)
"""Options reading a song's row without its stored scan (up to a megabyte of JSON for a chart
with thousands of issues), for the writers that look at its columns only."""


def record_parsed(session: Session, event: SongParsed) -> Outcome:
    """Insert or update the song from `event`, keyed by song id and unique by content (md5)."""
    # Two deliveries of one song at once would each find no row and then the other's commit,
    # and call the song a duplicate of itself: they take turns instead.
    session.execute(select(func.pg_advisory_xact_lock(_lock_key(event.song_id))))
    if session.get(SongTombstone, event.song_id) is not None:
        return Outdated("the song was deleted")
    song = session.get(Song, event.song_id, with_for_update=True, options=WITHOUT_SCAN)
    if song is not None:
        return _update(session, song, event)
    duplicate = _song_with_md5(session, event.md5)
    if duplicate is not None:
        return AlreadyInLibrary(duplicate)
    path = _content_path(session, event)
    values = column_names(_SONG, {"id": event.song_id, "file_path": path, **_columns(event)})
    inserted = session.execute(_insert_song(tuple(values)), values).scalar()
    if inserted is not None:
        replace_song_charts(session, event.song_id, event.scan)
        return Cataloged(path)
    # Another worker committed the same content (or this song) between our checks and insert.
    duplicate = _song_with_md5(session, event.md5)
    if duplicate is not None and duplicate != event.song_id:
        return AlreadyInLibrary(duplicate)
    raise RuntimeError("song insert conflicted; retrying")


_SONG = inspect(Song)


@functools.cache
def _insert_song(columns: tuple[str, ...]) -> TextClause:
    return insert_new(Song.__table__, columns, returning="id")


def _lock_key(song_id: uuid.UUID) -> int:
    return int.from_bytes(song_id.bytes[:8], "big", signed=True)


def _update(session: Session, song: Song, event: SongParsed) -> Outcome:
    if (event.revision, event.parser_version) < (song.revision, song.parser_version):
        return Outdated(f"revision {event.revision} (parser {event.parser_version}) is older "
                        f"than {song.revision} (parser {song.parser_version})")
    # The same revision again (a redelivery or a replay) writes the same values: harmless.
    previous = song.file_path
    for column, value in _columns(event).items():
        if column != "upload_id" or value is not None:  # an edit keeps the song's upload
            setattr(song, column, value)
    replace_song_charts(session, song.id, event.scan)
    new_path = _content_path(session, event)
    if new_path.lower() != previous.lower():
        song.file_path = new_path
    song.updated_at = func.now()
    return Cataloged(song.file_path, previous if song.file_path != previous else None)


def _columns(event: SongParsed) -> dict[str, object]:
    return {
        "title": event.name or "Unknown Song",
        "artist": event.artist or "Unknown Artist",
        "album": event.album,
        "genre": event.genre,
        "year": event.year,
        "charter": event.charter,
        "song_length_ms": event.song_length_ms,
        "metadata_": event.scan,
        "md5": event.md5,
        "chart_file": event.chart_file,
        "revision": event.revision,
        "parser_version": event.parser_version,
        "manifest_key": event.manifest_key,
        "upload_id": event.upload_id,
        **scan_columns(event.scan, year=event.year),
    }


def _song_with_md5(session: Session, md5: str) -> uuid.UUID | None:
    return session.execute(select(Song.id).where(Song.md5 == md5)).scalar()


def _content_path(session: Session, event: SongParsed) -> str:
    """The song's folder, reusing the spelling of an artist folder that differs only in case."""
    path = song_folder(event.artist, event.name, event.song_id)
    existing = session.execute(artist_folder_query(path.split("/")[1], event.song_id)).scalar()
    return with_artist_dir(path, existing) if existing else path


def artist_folder_query(artist_dir: str, song_id: uuid.UUID) -> Select:
    """How another song spells the artist folder `artist_dir` (ignoring case). It reads the
    first entry of the index on the folder name and id (migration 0026): the order by id keeps
    the planner from scanning the table for an artist with many songs."""
    folder = func.lower(func.split_part(Song.file_path, "/", 2))
    return (select(func.split_part(Song.file_path, "/", 2))
            .where(folder == artist_dir.lower())
            .where(Song.id != song_id)
            .order_by(folder, Song.id)
            .limit(1))


def record_deleted(session: Session, event: SongDeleted) -> str | None:
    """Remove the song and leave a tombstone; the folder it was published to, if any."""
    song = session.get(Song, event.song_id, with_for_update=True, options=WITHOUT_SCAN)
    path = song.file_path if song else event.content_path
    session.execute(delete(Song).where(Song.id == event.song_id))
    session.execute(
        insert(SongTombstone).values(song_id=event.song_id, revision=event.revision)
        .on_conflict_do_nothing()
    )
    return path
