"""Catalog consumer: `song.parsed` → `song.cataloged` (or `song.duplicate`), written to the
outbox in the same transaction as the catalog change and relayed from there; `song.deleted` →
the row leaves the catalog and a tombstone stays."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
import structlog
from sqlalchemy.orm import Session, sessionmaker

from services.catalog import outbox, songs
from services.catalog.db import transaction
from services.catalog.outbox import OutboxRelay
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


def make_handler(sessions: sessionmaker[Session], relay: OutboxRelay):
    async def catalog(event: SongParsed | SongDeleted) -> Sequence[Event]:
        if isinstance(event, SongDeleted):
            await anyio.to_thread.run_sync(_delete, sessions, event)
            return ()
        await anyio.to_thread.run_sync(_record, sessions, event)
        relay.wake()
        return ()  # the relay publishes what the transaction recorded

    return catalog


def _record(sessions: sessionmaker[Session], event: SongParsed) -> None:
    with transaction(sessions) as session:
        outbox.add(session, _next_events(event, songs.record_parsed(session, event)))


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
