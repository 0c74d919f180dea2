"""Catalog consumer: `song.parsed` → `song.cataloged` (or `song.duplicate`); `song.deleted` →
the row leaves the catalog and a tombstone stays."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
import structlog
from sqlalchemy.orm import Session, sessionmaker

from services.catalog import songs
from services.catalog.db import transaction
from shared.events import (
    Event,
    SongAlreadyInLibrary,
    SongCataloged,
    SongDeleted,
    SongFailed,
    SongParsed,
    event_id,
)

log = structlog.get_logger(__name__)


def make_handler(sessions: sessionmaker[Session]):
    async def catalog(event: SongParsed | SongDeleted) -> Sequence[Event]:
        if isinstance(event, SongDeleted):
            await anyio.to_thread.run_sync(_delete, sessions, event)
            return ()
        outcome = await anyio.to_thread.run_sync(_record, sessions, event)
        return _next_events(event, outcome)

    return catalog


def _record(sessions: sessionmaker[Session], event: SongParsed) -> songs.Outcome:
    with transaction(sessions) as session:
        return songs.record_parsed(session, event)


def _delete(sessions: sessionmaker[Session], event: SongDeleted) -> None:
    with transaction(sessions) as session:
        songs.record_deleted(session, event)


def _next_events(event: SongParsed, outcome: songs.Outcome) -> Sequence[Event]:
    match outcome:
        case songs.Cataloged(content_path=path, previous_content_path=previous):
            return (SongCataloged(
                event_id=event_id("song.cataloged", event.song_id, event.revision,
                                  event.parser_version),
                upload_id=event.upload_id, song_id=event.song_id, revision=event.revision,
                manifest_key=event.manifest_key, content_path=path,
                previous_content_path=previous,
            ),)
        case songs.AlreadyInLibrary(existing_song_id=existing):
            return (SongAlreadyInLibrary(
                event_id=event_id("song.duplicate", event.song_id, event.revision),
                upload_id=event.upload_id, song_id=event.song_id, revision=event.revision,
                existing_song_id=existing, md5=event.md5,
            ),)
        case songs.Outdated(why=why):
            log.info("catalog.outdated_event_dropped", why=why)
            return ()
    raise AssertionError(outcome)


def failed(event: SongParsed, reason: str) -> Sequence[Event]:
    if isinstance(event, SongParsed):
        return (SongFailed(
            event_id=event_id("song.failed", event.song_id, event.revision, "catalog"),
            upload_id=event.upload_id, song_id=event.song_id, revision=event.revision,
            stage="catalog", reason=reason,
        ),)
    return ()
