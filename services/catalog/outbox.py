"""The transactional outbox: the catalog's events are written in the same transaction as the
catalog change they report, then relayed to RabbitMQ. A crash between commit and publish
cannot lose them; a relay that dies mid-batch publishes some again (same event ids, and every
consumer tolerates duplicates)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import anyio
import structlog
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, sessionmaker

from services.catalog.db import transaction
from services.catalog.tables import OutboxEvent
from shared import telemetry
from shared.events import Event, load_event
from shared.messaging import EventBus

log = structlog.get_logger(__name__)
BATCH = 200


def add(session: Session, events: Sequence[Event]) -> None:
    """Record `events` in the current transaction (an event already recorded is skipped)."""
    for event in events:
        session.execute(insert(OutboxEvent).values(
            event_id=event.event_id, routing_key=event.routing_key,
            song_id=getattr(event, "song_id", None), payload=event.model_dump(mode="json"),
            traceparent=telemetry.current_traceparent(),
        ).on_conflict_do_nothing(index_elements=["event_id"]))


def _pending(sessions: sessionmaker[Session]) -> list[tuple[int, Event, str | None]]:
    with sessions() as session:
        rows = session.execute(select(OutboxEvent.id, OutboxEvent.payload,
                                      OutboxEvent.traceparent)
                               .where(OutboxEvent.relayed_at.is_(None))
                               .order_by(OutboxEvent.id).limit(BATCH)).all()
    return [(row.id, load_event(row.payload), row.traceparent) for row in rows]


class OutboxRelay:
    """Publishes recorded events in order, as soon as a consumer says there are new ones and
    at least every `idle_seconds`."""

    def __init__(self, sessions: sessionmaker[Session], bus: EventBus,
                 idle_seconds: float = 1.0) -> None:
        self._sessions, self._bus, self._idle = sessions, bus, idle_seconds
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def relay_pending(self) -> int:
        relayed = 0
        while batch := await anyio.to_thread.run_sync(_pending, self._sessions):
            for _, event, traceparent in batch:
                with telemetry.resumed(traceparent):  # in the trace of the recorded change
                    await self._bus.publish(event)
            await anyio.to_thread.run_sync(_mark_done, self._sessions, [i for i, *_ in batch])
            relayed += len(batch)
        return relayed

    async def run(self) -> None:
        while True:
            try:
                await self.relay_pending()
            except Exception as error:
                log.warning("outbox.relay_failed", error=str(error))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle)
            self._wake.clear()


def _mark_done(sessions: sessionmaker[Session], ids: list[int]) -> None:
    with transaction(sessions) as session:
        session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids))
                        .values(relayed_at=func.now()))
