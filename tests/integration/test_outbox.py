"""The transactional outbox on the real PostgreSQL and RabbitMQ: events recorded while the
broker is unreachable are published once it is back, and each relay publishes only its own."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid

import aio_pika
import pytest
from faststream.rabbit import RabbitBroker
from sqlalchemy import select, text

from shared import outbox
from shared.events import UploadOrigin, UploadReceived
from shared.messaging import EventBus
from shared.persistence.db import transaction
from tests.support.stack import TEST_VHOST, drop_vhost, free_port, fresh_vhost


@pytest.fixture(scope="module")
def vhost_url():
    name = f"{TEST_VHOST}-outbox"
    yield fresh_vhost(name)
    drop_vhost(name)


def received() -> UploadReceived:
    upload_id = uuid.uuid4()
    return UploadReceived.about(upload_id, origin=UploadOrigin(
        bucket="chhub-uploads", key=f"gateway/{upload_id}/song.zip", filename="song.zip"), size=1)


def record(sessions, events, publisher: str) -> None:
    with transaction(sessions) as session:
        outbox.add(session, events, publisher)


def unrelayed(sessions, events) -> set[uuid.UUID]:
    with sessions() as session:
        return set(session.scalars(select(outbox.OUTBOX.c.event_id).where(
            outbox.OUTBOX.c.event_id.in_([e.event_id for e in events]),
            outbox.OUTBOX.c.relayed_at.is_(None))))


async def listening(vhost_url: str) -> tuple[aio_pika.abc.AbstractConnection,
                                             aio_pika.abc.AbstractQueue]:
    connection = await aio_pika.connect(vhost_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange("chhub.events", aio_pika.ExchangeType.TOPIC,
                                              durable=True)
    queue = await channel.declare_queue(exclusive=True)
    await queue.bind(exchange, routing_key="upload.received")
    return connection, queue


async def upload_ids(queue: aio_pika.abc.AbstractQueue, expected: int) -> list[str]:
    found: list[str] = []
    for _ in range(200):
        if len(found) == expected:
            break
        message = await queue.get(fail=False, no_ack=True)
        if message is None:
            await asyncio.sleep(0.05)
        else:
            found.append(json.loads(message.body)["upload_id"])
    return found


async def test_events_recorded_while_the_broker_is_unreachable_are_published_once_it_is_back(
        sessions, vhost_url):
    publisher = f"test-{uuid.uuid4().hex[:8]}"
    events = [received(), received()]
    record(sessions, events, publisher)
    away = RabbitBroker(f"amqp://guest:guest@127.0.0.1:{free_port()}/")
    relay = outbox.OutboxRelay(sessions, EventBus(away), publisher, idle_seconds=0.1,
                               connect=away.connect)
    trying = asyncio.create_task(relay.run())
    await asyncio.sleep(1.5)
    trying.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await trying
    assert unrelayed(sessions, events) == {e.event_id for e in events}

    connection, queue = await listening(vhost_url)
    back = RabbitBroker(vhost_url)
    async with connection, back:
        relay = outbox.OutboxRelay(sessions, EventBus(back), publisher, idle_seconds=0.1,
                                   connect=back.connect)
        relaying = asyncio.create_task(relay.run())
        try:
            assert await upload_ids(queue, 2) == [str(e.upload_id) for e in events]
        finally:
            relaying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relaying
    assert unrelayed(sessions, events) == set()


async def test_a_relay_publishes_only_the_events_its_own_service_recorded(sessions, vhost_url):
    mine, theirs = f"test-{uuid.uuid4().hex[:8]}", f"test-{uuid.uuid4().hex[:8]}"
    my_event, their_event = received(), received()
    record(sessions, [my_event], mine)
    record(sessions, [their_event], theirs)
    connection, queue = await listening(vhost_url)
    broker = RabbitBroker(vhost_url)
    async with connection, broker:
        await broker.connect()
        assert await outbox.OutboxRelay(sessions, EventBus(broker), mine).relay_pending() == 1
        assert await upload_ids(queue, 1) == [str(my_event.upload_id)]
    assert unrelayed(sessions, [my_event, their_event]) == {their_event.event_id}



async def test_a_relay_stops_when_cancelled_even_if_its_connect_swallows_the_cancel(sessions):
    """aio_pika's robust connection, cancelled mid-connect, swallows the cancel and reconnects
    in the background: the relay must stop all the same, or its service never shuts down."""
    entered = asyncio.Event()

    async def connect_swallowing_a_cancel() -> None:
        entered.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(3600)

    relay = outbox.OutboxRelay(sessions, None, f"nobody-{uuid.uuid4().hex[:8]}",
                               idle_seconds=0.05, connect=connect_swallowing_a_cancel)
    task = asyncio.create_task(relay.run())
    await entered.wait()
    task.cancel()
    await asyncio.wait({task}, timeout=5)
    assert task.cancelled()


def test_the_outbox_is_vacuumed_after_a_thousand_dead_rows_whatever_its_size(sessions):
    """Each relayed event leaves a dead row in the index the relay reads; autovacuum's default
    waits for a fifth of the table, and the outbox only grows (it is the log a replay reads)."""
    with sessions() as session:
        options = session.execute(text(
            "SELECT reloptions FROM pg_class WHERE oid = 'outbox'::regclass")).scalar()
    assert set(options or ()) >= {"autovacuum_vacuum_scale_factor=0",
                                  "autovacuum_vacuum_threshold=1000"}
