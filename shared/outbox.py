"""The transactional outbox: a service's events are written in the same transaction as the
change they report, then relayed to RabbitMQ by that service. A crash or a broker outage
between commit and publish cannot lose them; a relay that dies mid-batch publishes some again
(same event ids, and every consumer tolerates duplicates).

Every service that keeps an outbox shares the one `outbox` table; each row names its
`publisher`, and each service's relay publishes only its own rows, in the order they were
written."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence

import anyio
import structlog
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    MetaData,
    Table,
    Text,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Session, sessionmaker

from shared import telemetry
from shared.events import Event, load_event
from shared.messaging import EventBus
from shared.persistence.conflict_inserts import insert_new

log = structlog.get_logger(__name__)
BATCH = 200

METADATA = MetaData()
# Rows are never changed but for `relayed_at`: the append-only log of each publisher's events.
OUTBOX = Table(
    "outbox", METADATA,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("routing_key", Text, nullable=False),
    Column("song_id", UUID(as_uuid=True)),
    Column("payload", JSONB, nullable=False),
    Column("traceparent", Text),
    Column("publisher", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    Column("relayed_at", DateTime(timezone=True)),
)


_ADD = insert_new(OUTBOX, ("event_id", "routing_key", "song_id", "payload", "traceparent",
                           "publisher"), conflict=("event_id",))


def add(session: Session, events: Sequence[Event], publisher: str) -> None:
    """Record `events` in the current transaction (an event already recorded is skipped)."""
    if not events:
        return
    traceparent = telemetry.current_traceparent()
    session.execute(_ADD, [{
        "event_id": event.event_id, "routing_key": event.routing_key,
        "song_id": getattr(event, "song_id", None), "payload": event.model_dump(mode="json"),
        "traceparent": traceparent, "publisher": publisher} for event in events])


def _pending(sessions: sessionmaker[Session],
             publisher: str) -> list[tuple[int, Event, str | None]]:
    with sessions() as session:
        rows = session.execute(select(OUTBOX.c.id, OUTBOX.c.payload, OUTBOX.c.traceparent)
                               .where(OUTBOX.c.relayed_at.is_(None),
                                      OUTBOX.c.publisher == publisher)
                               .order_by(OUTBOX.c.id).limit(BATCH)).all()
    return [(row.id, load_event(row.payload), row.traceparent) for row in rows]


def _mark_done(sessions: sessionmaker[Session], ids: list[int]) -> None:
    with sessions.begin() as session:
        session.execute(update(OUTBOX).where(OUTBOX.c.id.in_(ids))
                        .values(relayed_at=func.now()))


class OutboxRelay:
    """Publishes `publisher`'s recorded events in order, as soon as it is told there are new
    ones and at least every `idle_seconds`; while the broker is away it keeps trying."""

    def __init__(self, sessions: sessionmaker[Session], bus: EventBus, publisher: str,
                 idle_seconds: float = 1.0,
                 connect: Callable[[], Awaitable[None]] | None = None) -> None:
        self._sessions, self._bus, self._publisher = sessions, bus, publisher
        self._idle, self._connect = idle_seconds, connect
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def relay_pending(self) -> int:
        relayed = 0
        while batch := await anyio.to_thread.run_sync(_pending, self._sessions,
                                                       self._publisher):
            for _, event, traceparent in batch:
                with telemetry.resumed(traceparent):  # in the trace of the recorded change
                    await self._bus.publish(event)
            await anyio.to_thread.run_sync(_mark_done, self._sessions, [i for i, *_ in batch])
            relayed += len(batch)
        return relayed

    async def run(self) -> None:
        """Relay until cancelled; `connect` (when given) must succeed once before the first
        batch, and is tried again each round until it does."""
        connected = self._connect is None
        while True:
            _stop_if_cancelled()
            try:
                if not connected:
                    await self._connect()
                    connected = True
                await self.relay_pending()
            except Exception as error:
                log.warning("outbox.relay_failed", publisher=self._publisher,
                            error=str(error) or type(error).__name__)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._idle)
            self._wake.clear()


def _stop_if_cancelled() -> None:
    """Raise the cancel of the running task even if something swallowed it (aio_pika's robust
    connection does, cancelled mid-connect, and goes on reconnecting): a relay that outlives
    its cancel keeps its service from ever shutting down."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
