"""The transactional outbox: a service's events are written in the same transaction as the
change they report, then relayed to RabbitMQ by that service. A crash or a broker outage
between commit and publish cannot lose them; a relay that dies mid-batch publishes some again
(same event ids, and every consumer tolerates duplicates).

Every service that keeps an outbox shares the one `outbox` table; each row names its
`publisher`, and each service's relay publishes only its own rows, in the order they were
written. Rows are never changed: each publisher's position (`outbox_positions`) is the last
(transaction, id) it published, and a relay takes the rows past it whose transactions are older
than every one still running, so that a row an older transaction commits late is never passed
over. Its read is one index descent however long the outbox grows (migration 0027)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

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
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import UserDefinedType

from shared import telemetry
from shared.backoff import Backoff
from shared.events import Event, load_event
from shared.messaging import EventBus
from shared.persistence.conflict_inserts import insert_new

log = structlog.get_logger(__name__)
BATCH = 200

HELD_BACK = Backoff(first_seconds=0.01, cap_seconds=0.5)
"""How long a relay waits to read again while its next rows wait on an older transaction."""


class _TransactionId(UserDefinedType):
    """PostgreSQL's `xid8`, read and written as its text."""

    cache_ok = True

    def get_col_spec(self, **_: object) -> str:
        return "xid8"


METADATA = MetaData()
# Rows are never changed: the append-only log of each publisher's events.
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
    Column("tx", _TransactionId(), server_default=func.pg_current_xact_id(), nullable=False),
)
OUTBOX_POSITIONS = Table(
    "outbox_positions", METADATA,
    Column("publisher", Text, primary_key=True),
    Column("tx", _TransactionId(), nullable=False),
    Column("id", BigInteger, nullable=False),
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


@dataclass(frozen=True)
class _Batch:
    events: list[tuple[Event, str | None]]
    """Each event with the traceparent of the change it reports."""
    last: tuple[str, int] | None
    """The position after this batch (None: empty)."""
    held_back: bool
    """Rows past the batch wait on a transaction older than theirs to end."""


_POSITION = text("SELECT tx::text, id FROM outbox_positions WHERE publisher = :publisher")
PENDING = text(
    "SELECT id, tx::text AS tx, payload, traceparent, "
    "tx < pg_snapshot_xmin(pg_current_snapshot()) AS ready FROM outbox "
    "WHERE publisher = :publisher AND (tx, id) > (CAST(:tx AS xid8), :id) "
    "ORDER BY tx, id LIMIT :limit")
"""A relay's read of its next rows, each `ready` once every transaction older than its own has
ended; in this order the ready ones come first (public so that tests can examine its plan)."""
_ADVANCE = text(
    "INSERT INTO outbox_positions AS position (publisher, tx, id) "
    "VALUES (:publisher, CAST(:tx AS xid8), :id) ON CONFLICT (publisher) DO UPDATE "
    "SET tx = excluded.tx, id = excluded.id "
    "WHERE (position.tx, position.id) < (excluded.tx, excluded.id)")


def position(session: Session, publisher: str) -> tuple[str, int]:
    """The last (transaction, id) `publisher`'s relay published; ("0", 0) before any."""
    found = session.execute(_POSITION, {"publisher": publisher}).first()
    return (found[0], found[1]) if found else ("0", 0)


def _pending(sessions: sessionmaker[Session], publisher: str) -> _Batch:
    with sessions() as session:
        tx, after = position(session, publisher)
        rows = session.execute(PENDING, {"publisher": publisher, "tx": tx, "id": after,
                                         "limit": BATCH}).all()
    ready = list(itertools.takewhile(lambda row: row.ready, rows))
    return _Batch([(load_event(row.payload), row.traceparent) for row in ready],
                  (ready[-1].tx, ready[-1].id) if ready else None, len(ready) < len(rows))


def _advance(sessions: sessionmaker[Session], publisher: str, last: tuple[str, int]) -> None:
    """Move `publisher`'s position to `last`, never back (another relay may be ahead)."""
    with sessions.begin() as session:
        session.execute(_ADVANCE, {"publisher": publisher, "tx": last[0], "id": last[1]})


class OutboxRelay:
    """Publishes `publisher`'s recorded events in order, as soon as it is told there are new
    ones and at least every `idle_seconds` (sooner while its next events wait on an older
    transaction, see HELD_BACK); while the broker is away it keeps trying."""

    def __init__(self, sessions: sessionmaker[Session], bus: EventBus, publisher: str,
                 idle_seconds: float = 1.0,
                 connect: Callable[[], Awaitable[None]] | None = None) -> None:
        self._sessions, self._bus, self._publisher = sessions, bus, publisher
        self._idle, self._connect = idle_seconds, connect
        self._wake = asyncio.Event()
        self._held_back = False

    def wake(self) -> None:
        self._wake.set()

    async def relay_pending(self) -> int:
        """Publish every event ready now; how many."""
        relayed = 0
        while True:
            batch = await anyio.to_thread.run_sync(_pending, self._sessions, self._publisher)
            self._held_back = batch.held_back
            if batch.last is None:
                return relayed
            for event, traceparent in batch.events:
                with telemetry.resumed(traceparent):  # in the trace of the recorded change
                    await self._bus.publish(event)
            await anyio.to_thread.run_sync(_advance, self._sessions, self._publisher,
                                           batch.last)
            relayed += len(batch.events)

    async def run(self) -> None:
        """Relay until cancelled; `connect` (when given) must succeed once before the first
        batch, and is tried again each round until it does."""
        connected = self._connect is None
        held_rounds = 0
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
            held_rounds = held_rounds + 1 if self._held_back else 0
            # soon again while an older transaction holds the next rows back
            wait = min(HELD_BACK.delay(held_rounds), self._idle) if held_rounds else self._idle
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=wait)
            self._wake.clear()


def _stop_if_cancelled() -> None:
    """Raise the cancel of the running task even if something swallowed it (aio_pika's robust
    connection does, cancelled mid-connect, and goes on reconnecting): a relay that outlives
    its cancel keeps its service from ever shutting down."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
