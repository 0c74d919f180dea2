"""The transactional outbox on the real PostgreSQL and RabbitMQ: events recorded while the
broker is unreachable are published once it is back, each relay publishes only its own, an
event an older transaction commits late is not passed over, and a relay's read stays a few
pages however many events it has published."""

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
from shared.persistence import db
from shared.persistence.db import transaction
from tests.support import stack
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
    """Those of `events` past their publisher's position."""
    with sessions() as session:
        rows = session.execute(select(outbox.OUTBOX.c.event_id, outbox.OUTBOX.c.publisher,
                                      outbox.OUTBOX.c.tx, outbox.OUTBOX.c.id).where(
            outbox.OUTBOX.c.event_id.in_([e.event_id for e in events]))).all()
        positions = {row.publisher: outbox.position(session, row.publisher) for row in rows}
    return {row.event_id for row in rows
            if (int(row.tx), row.id) > (int(positions[row.publisher][0]),
                                        positions[row.publisher][1])}


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


async def test_an_event_an_older_transaction_commits_late_is_published_all_the_same(
        sessions, vhost_url):
    """The younger transaction's event, written after it and committed first, waits for it:
    a relay that went by commit order alone would move past the older one's event for good."""
    publisher = f"test-{uuid.uuid4().hex[:8]}"
    early, late = received(), received()
    connection, queue = await listening(vhost_url)
    broker = RabbitBroker(vhost_url)
    async with connection, broker:
        await broker.connect()
        relay = outbox.OutboxRelay(sessions, EventBus(broker), publisher)
        with sessions() as older:
            outbox.add(older, [early], publisher)  # its transaction and id come first
            record(sessions, [late], publisher)
            assert await relay.relay_pending() == 0
            older.commit()
        published = 0
        for _ in range(100):  # other transactions of the machine's database may hold it too
            published += await relay.relay_pending()
            if published == 2:
                break
            await asyncio.sleep(0.05)
        assert sorted(await upload_ids(queue, 2)) == sorted(str(e.upload_id)
                                                            for e in (early, late))
    assert unrelayed(sessions, [early, late]) == set()


async def test_a_relay_held_back_by_an_older_transaction_reads_again_soon_after_it_ends(
        sessions, vhost_url):
    """The older transaction may be any other writer of the database, which never wakes this
    relay: the relay must not wait its whole idle time once that transaction has ended."""
    publisher = f"test-{uuid.uuid4().hex[:8]}"
    event = received()
    connection, queue = await listening(vhost_url)
    broker = RabbitBroker(vhost_url)
    async with connection, broker:
        await broker.connect()
        relay = outbox.OutboxRelay(sessions, EventBus(broker), publisher, idle_seconds=60)
        relaying = asyncio.create_task(relay.run())
        try:
            with sessions() as older:
                older.execute(text("SELECT pg_current_xact_id()"))  # a writer, begun first
                record(sessions, [event], publisher)
                relay.wake()
                await asyncio.sleep(0.5)
                assert await queue.get(fail=False, no_ack=True) is None
                older.commit()
            assert await upload_ids(queue, 1) == [str(event.upload_id)]  # within 10 s
        finally:
            relaying.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await relaying


async def test_a_relays_read_stays_a_few_pages_however_many_events_it_has_published(
        sessions, vhost_url):
    """Publishing changes no row of the outbox, so nothing published is left for the next read
    to step over, vacuumed or not."""
    publisher = f"test-{uuid.uuid4().hex[:8]}"
    for _ in range(10):
        record(sessions, [received() for _ in range(200)], publisher)
    broker = RabbitBroker(vhost_url)
    async with broker:
        await broker.connect()
        relay = outbox.OutboxRelay(sessions, EventBus(broker), publisher)
        published = 0
        for _ in range(100):  # other transactions of the machine's database may hold it
            published += await relay.relay_pending()
            if published == 2000:
                break
            await asyncio.sleep(0.05)
    assert published == 2000
    record(sessions, [received()], publisher)
    with sessions() as session:
        tx, after = outbox.position(session, publisher)
        plan = session.execute(text("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) "
                                    + outbox.PENDING.text),
                               {"publisher": publisher, "tx": tx, "id": after,
                                "limit": outbox.BATCH}).scalar_one()[0]["Plan"]
    assert plan["Actual Rows"] == 1
    assert plan["Shared Hit Blocks"] + plan["Shared Read Blocks"] <= 10


def test_the_migration_starts_each_publisher_before_its_oldest_unpublished_event():
    with stack.database_at("0026", f"{stack.TEST_DATABASE}_outbox_positions") as (url, engine):
        with engine.begin() as connection:
            for publisher, relayed in (("catalog", [True, False, True, False]),
                                       ("gateway", [True, True])):
                for done in relayed:
                    connection.execute(text(
                        "INSERT INTO outbox (event_id, routing_key, payload, publisher, "
                        "relayed_at) VALUES (:event, 'k', '{}', :publisher, "
                        "CASE WHEN :done THEN now() END)"),
                        {"event": uuid.uuid4(), "publisher": publisher, "done": done})
            ids = dict(connection.execute(text(
                "SELECT publisher, array_agg(id ORDER BY id) FROM outbox GROUP BY publisher")
            ).all())
        db.upgrade(url, "0027")
        with engine.connect() as connection:
            positions = dict(connection.execute(text(
                "SELECT publisher, id FROM outbox_positions")).all())
        # catalog: again from its second event (some published twice, none lost)
        assert positions == {"catalog": ids["catalog"][0], "gateway": ids["gateway"][-1]}
        db.downgrade(url, "0026")  # and down again, cleanly
        with engine.connect() as connection:
            unpublished = connection.execute(text(
                "SELECT id FROM outbox WHERE relayed_at IS NULL ORDER BY id")).scalars().all()
        assert unpublished == ids["catalog"][1:]
