"""Catalog consumer: `song.parsed` → `song.cataloged` (or `song.duplicate`), written to the
outbox in the same transaction as the catalog change (the song placed in its version group)
and relayed from there; `song.deleted` → the row leaves the catalog and a tombstone stays. A new
song with parts charted on Expert only also gets `song.edit_requested` (generate the lower
difficulties) when its upload or the library asks for it: only at its first revision, so a
generated revision, or one whose generated difficulties were removed, is never asked again."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
import structlog
from sqlalchemy.orm import Session, sessionmaker

from shared import outbox
from shared.events import (
    Event,
    SongAlreadyInLibrary,
    SongCataloged,
    SongDeleted,
    SongEditRequested,
    SongParsed,
    failure_at,
)
from shared.persistence import queries, song_versions, songs
from shared.persistence.db import transaction
from shared.songs.reduction.offer import generatable_instruments, marked_generated

log = structlog.get_logger(__name__)
PUBLISHER = "catalog"


def make_handler(sessions: sessionmaker[Session], relay: outbox.OutboxRelay, *,
                 generate_difficulties: bool = False):
    """`generate_difficulties`: every new song gets its lower difficulties generated, whatever
    its upload asked."""
    async def catalog(event: SongParsed | SongDeleted) -> Sequence[Event]:
        if isinstance(event, SongDeleted):
            await anyio.to_thread.run_sync(_delete, sessions, event)
            return ()
        await anyio.to_thread.run_sync(record, sessions, event, generate_difficulties)
        relay.wake()
        return ()  # the relay publishes what the transaction recorded

    return catalog


def record(sessions: sessionmaker[Session], event: SongParsed,
           generate_difficulties: bool = False) -> None:
    """Catalog `event` and record the events it causes, in one transaction."""
    with transaction(sessions) as session:
        outcome = songs.record_parsed(session, event)
        if isinstance(outcome, songs.Cataloged):
            song_versions.place(session, event.song_id)
        caused = [*_next_events(event, outcome)]
        if isinstance(outcome, songs.Cataloged) and _wants_lower_difficulties(
                session, event, generate_difficulties):
            # Outside the upload: the upload ends with the song it sent, as with any edit.
            caused.append(SongEditRequested.about(event.song_id, event.revision, "generate",
                                                  manifest_key=event.manifest_key,
                                                  difficulties="generate"))
        outbox.add(session, caused, PUBLISHER)


def _wants_lower_difficulties(session: Session, event: SongParsed, for_every_song: bool) -> bool:
    """A new song with parts to generate from, whose upload or library asks for them."""
    if event.revision != 1 or marked_generated(event.scan):
        return False
    if not generatable_instruments(event.scan):
        return False
    return for_every_song or queries.upload_generates_difficulties(session, event.upload_id)


def _delete(sessions: sessionmaker[Session], event: SongDeleted) -> None:
    with transaction(sessions) as session:
        songs.record_deleted(session, event)


def _next_events(event: SongParsed, outcome: songs.Outcome) -> Sequence[Event]:
    match outcome:
        case songs.Cataloged(content_path=path, previous_content_path=previous):
            return (SongCataloged.after(
                event, event.parser_version, manifest_key=event.manifest_key, md5=event.md5,
                files=event.files, content_path=path, previous_content_path=previous,
            ),)
        case songs.AlreadyInLibrary(existing_song_id=existing):
            return (SongAlreadyInLibrary.after(event, existing_song_id=existing, md5=event.md5),)
        case songs.Outdated(why=why):
            log.info("catalog.outdated_event_dropped", why=why)
            return ()
    raise AssertionError(outcome)


failed = failure_at("catalog")
