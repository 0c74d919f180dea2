"""Retries, backoff and dead-lettering on the real RabbitMQ: a message that keeps failing ends
in its dead-letter queue with its reason while later messages keep flowing."""

from __future__ import annotations

import asyncio
import gc
import uuid
import weakref

import aio_pika
import anyio
import pytest
from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel

from shared.events import SongFailed, SongFound, UploadOrigin, load_event
from shared.messaging import (
    LARGE_MESSAGE_BYTES,
    EventBus,
    PermanentError,
    RetryPolicy,
    declare_topology,
    subscribe,
)
from shared.topology import ATTEMPT_HEADER, EVENTS, REASON_HEADER, Consumer
from tests.support.stack import TEST_VHOST, drop_vhost, fresh_vhost


@pytest.fixture(scope="module")
def vhost_url():
    name = f"{TEST_VHOST}-messaging"
    yield fresh_vhost(name)
    drop_vhost(name)


def found(folder: str) -> SongFound:
    song_id = uuid.uuid4()
    return SongFound(event_id=SongFound.id_for(song_id), upload_id=uuid.uuid4(),
                     song_id=song_id, folder=folder,
                     origin=UploadOrigin(bucket="b", key="k", filename="f"))


async def drain(connection: aio_pika.abc.AbstractConnection, queue: str, expected: int,
                timeout: float = 20) -> list[aio_pika.abc.AbstractIncomingMessage]:
    channel = await connection.channel()
    messages = []
    deadline = asyncio.get_running_loop().time() + timeout
    while len(messages) < expected and asyncio.get_running_loop().time() < deadline:
        message = await (await channel.get_queue(queue)).get(fail=False)
        if message is None:
            await asyncio.sleep(0.1)
            continue
        await message.ack()
        messages.append(message)
    return messages


async def test_a_message_failing_every_time_is_dead_lettered_with_its_reason(vhost_url):
    consumer = Consumer("test", f"flaky-{uuid.uuid4().hex[:8]}", ("song.found",))
    handled: list[str] = []

    async def handler(event: SongFound):
        if event.folder == "poison":
            raise ConnectionError("the database is away")
        handled.append(event.folder)
        return ()

    def failed(event: SongFound, reason: str):
        return (SongFailed(event_id=SongFailed.id_for(event.song_id), upload_id=None,
                           song_id=event.song_id, stage="test", reason=reason),)

    broker = RabbitBroker(vhost_url)
    subscribe(broker, consumer, handler, retry=RetryPolicy((0.2, 0.4)), delivery_limit=3,
              on_failure=failed)
    failures = Consumer("test", f"failures-{uuid.uuid4().hex[:8]}", ("song.failed",))
    async with broker:
        await broker.connect()
        await declare_topology(broker, [consumer, failures], delivery_limit=3, retries=2)
        await broker.start()
        bus = EventBus(broker)
        poison = found("poison")
        await bus.publish(poison)
        for index in range(3):
            await bus.publish(found(f"good-{index}"))
        connection = await aio_pika.connect_robust(vhost_url)
        async with connection:
            [dead] = await drain(connection, consumer.dead_queue_name, 1)
            [failure] = await drain(connection, failures.queue_name, 1)
    assert sorted(handled) == ["good-0", "good-1", "good-2"]
    assert dead.headers[ATTEMPT_HEADER] == 3
    assert dead.headers[REASON_HEADER] == "Gave up after 3 attempts: the database is away"
    assert SongFound.model_validate_json(dead.body).song_id == poison.song_id
    assert "the database is away" in SongFailed.model_validate_json(failure.body).reason


async def test_a_consumer_reads_each_body_once_as_it_came(vhost_url):
    """Nothing parses a body before the consumer's own reading of it (a second copy of a large
    event in memory): even a body no JSON parser reads reaches it, as it was sent."""
    consumer = Consumer("test", f"raw-{uuid.uuid4().hex[:8]}", ("song.found",))
    bodies: list[bytes] = []
    handled: list[str] = []

    def decode(body: bytes) -> SongFound:
        bodies.append(body)
        return found(body.decode())

    async def handler(event: SongFound):
        handled.append(event.folder)
        return ()

    broker = RabbitBroker(vhost_url)
    subscribe(broker, consumer, handler, retry=RetryPolicy((0.2,)), delivery_limit=3,
              decode=decode)
    async with broker:
        await broker.connect()
        await declare_topology(broker, [consumer], delivery_limit=3, retries=1)
        await broker.start()
        await broker.publish(b"plain words", exchange=EVENTS, routing_key="song.found",
                             content_type="application/json")
        for _ in range(100):
            if handled:
                break
            await asyncio.sleep(0.1)
    assert bodies == [b"plain words"]
    assert handled == ["plain words"]


async def test_a_message_reaches_its_handler_without_a_worker_thread(vhost_url):
    """Every worker thread of the loop is taken, and messages are still handed to their
    handler: faststream's own steps (decoding, resolving the handler's arguments) stay on the
    loop, where a thread hop for every message would cost each consumer a share of its CPU."""
    consumer = Consumer("test", f"threadless-{uuid.uuid4().hex[:8]}", ("song.found",))
    handled: list[str] = []

    async def handler(event: SongFound):
        handled.append(event.folder)
        return ()

    broker = RabbitBroker(vhost_url)
    subscribe(broker, consumer, handler, retry=RetryPolicy((0.2,)), delivery_limit=3)
    threads = anyio.to_thread.current_default_thread_limiter()
    holder = object()
    async with broker:
        await broker.connect()
        await declare_topology(broker, [consumer], delivery_limit=3, retries=1)
        await broker.start()
        await threads.acquire_on_behalf_of(holder)
        taken = threads.total_tokens
        threads.total_tokens = 1  # the one token, held: no worker thread to be had
        try:
            for index in range(3):
                await EventBus(broker).publish(found(f"loop-{index}"))
            for _ in range(100):
                if len(handled) == 3:
                    break
                await asyncio.sleep(0.1)
            assert sorted(handled) == ["loop-0", "loop-1", "loop-2"]
        finally:
            threads.total_tokens = taken
            threads.release_on_behalf_of(holder)


async def test_a_handled_message_is_freed_without_the_cyclic_garbage_collector(vhost_url):
    """A message (and its body, a megabyte for a large scan) goes as soon as it is handled:
    nothing it holds refers back to it, so memory does not wait for a collection."""
    consumer = Consumer("test", f"acyclic-{uuid.uuid4().hex[:8]}", ("song.found",))
    broker = RabbitBroker(vhost_url)
    seen: list[weakref.ref] = []

    async def handler(event: SongFound):
        seen.append(weakref.ref(broker.context.get_local("message")))
        return ()

    subscribe(broker, consumer, handler, retry=RetryPolicy((0.2,)), delivery_limit=3)
    async with broker:
        await broker.connect()
        await declare_topology(broker, [consumer], delivery_limit=3, retries=1)
        await broker.start()
        gc.collect()
        gc.disable()
        try:
            await EventBus(broker).publish(found("once"))
            for _ in range(100):
                if seen:
                    break
                await asyncio.sleep(0.05)
            await asyncio.sleep(0.5)  # acknowledged and done with
            assert len(seen) == 1 and seen[0]() is None
        finally:
            gc.enable()


async def test_a_permanent_failure_is_reported_at_once_and_not_retried(vhost_url):
    consumer = Consumer("test", f"permanent-{uuid.uuid4().hex[:8]}", ("song.found",))
    calls: list[str] = []

    async def handler(event: SongFound):
        calls.append(event.folder)
        raise PermanentError("This folder has no chart.")

    broker = RabbitBroker(vhost_url)
    subscribe(broker, consumer, handler, retry=RetryPolicy((0.2,)), delivery_limit=3)
    async with broker:
        await broker.connect()
        await declare_topology(broker, [consumer], delivery_limit=3, retries=1)
        await broker.start()
        await EventBus(broker).publish(found("bad"))
        await asyncio.sleep(1.5)
        connection = await aio_pika.connect_robust(vhost_url)
        async with connection:
            assert await drain(connection, consumer.dead_queue_name, 1, timeout=1) == []
    assert calls == ["bad"]


async def test_a_message_redelivered_past_the_delivery_limit_is_dead_lettered(vhost_url):
    """What a consumer that crashes on a message (redelivery after redelivery) meets."""
    consumer = Consumer("test", f"crashy-{uuid.uuid4().hex[:8]}", ("song.found",))
    broker = RabbitBroker(vhost_url)
    async with broker:
        await broker.connect()
        await declare_topology(broker, [consumer], delivery_limit=2, retries=1)
        await EventBus(broker).publish(found("crashes-its-consumer"))
    connection = await aio_pika.connect_robust(vhost_url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(consumer.queue_name)
        for _ in range(3):
            message = None
            for _ in range(50):
                message = await queue.get(fail=False)
                if message is not None:
                    break
                await asyncio.sleep(0.1)
            assert message is not None
            await message.nack(requeue=True)
        [dead] = await drain(connection, consumer.dead_queue_name, 1)
    assert dead.headers["x-death"][0]["reason"] == "delivery_limit"


async def test_declaring_the_topology_unbinds_the_keys_a_queue_no_longer_listens_to(vhost_url):
    name = f"narrowed-{uuid.uuid4().hex[:8]}"
    earlier = Consumer("test", name, ("song.*",))
    now = Consumer("test", name, ("song.failed",), retired_keys=("song.*",))
    broker = RabbitBroker(vhost_url)
    async with broker:
        await broker.connect()
        await declare_topology(broker, [earlier], delivery_limit=3, retries=1)
        await declare_topology(broker, [now], delivery_limit=3, retries=1)  # the upgrade
        await declare_topology(broker, [now], delivery_limit=3, retries=1)  # and again
        bus = EventBus(broker)
        await bus.publish(found("no longer listened to"))
        song = found("failed")
        await bus.publish(SongFailed(event_id=SongFailed.id_for(song.song_id), upload_id=None,
                                     song_id=song.song_id, stage="test", reason="unreadable"))
    connection = await aio_pika.connect_robust(vhost_url)
    async with connection:
        received = await drain(connection, now.queue_name, 2, timeout=3)
    assert [message.routing_key for message in received] == ["song.failed"]


@pytest.mark.parametrize("at_once", [1, None])
async def test_a_consumer_taking_one_message_at_once_reads_the_next_after_the_last(
        vhost_url, at_once):
    """However many messages the channel hands over, a consumer taking one at once reads and
    handles each after the one before (a large event is never read beside another)."""
    consumer = Consumer("test", f"single-{uuid.uuid4().hex[:8]}", ("song.found",),
                        at_once=at_once)
    handling, most_at_once, read, handled = [0], [0], [0], []

    def decode(body: bytes):
        handling[0] += 1
        read[0] += 1
        most_at_once[0] = max(most_at_once[0], handling[0])
        return load_event(body)

    async def handler(event: SongFound):
        for _ in range(1000):  # hands the loop to any other message already taken
            if read[0] == 3:
                break
            await asyncio.sleep(0)
        handling[0] -= 1
        handled.append(event.folder)
        return ()

    broker = RabbitBroker(vhost_url, default_channel=Channel(prefetch_count=4))
    subscribe(broker, consumer, handler, retry=RetryPolicy((0.2,)), delivery_limit=3,
              decode=decode)
    async with broker:
        await broker.connect()
        await declare_topology(broker, [consumer], delivery_limit=3, retries=1)
        for index in range(3):
            await EventBus(broker).publish(found(f"song-{index}"))
        await broker.start()
        for _ in range(200):
            if len(handled) == 3:
                break
            await asyncio.sleep(0.1)
    assert sorted(handled) == ["song-0", "song-1", "song-2"]
    if at_once == 1:
        assert most_at_once[0] == 1
    else:  # what `at_once` changes: the channel hands over several, all read at once
        assert most_at_once[0] > 1


async def test_after_a_large_message_the_free_heap_goes_back_to_the_system(vhost_url):
    consumer = Consumer("test", f"large-{uuid.uuid4().hex[:8]}", ("song.found",), at_once=1)
    given_back, handled = [], []

    async def handler(event: SongFound):
        handled.append(len(event.folder))
        return ()

    broker = RabbitBroker(vhost_url)
    subscribe(broker, consumer, handler, retry=RetryPolicy((0.2,)), delivery_limit=3,
              after_large_message=lambda: given_back.append(sorted(handled)))
    async with broker:
        await broker.connect()
        await declare_topology(broker, [consumer], delivery_limit=3, retries=1)
        bus = EventBus(broker)
        await bus.publish(found("small"))
        await bus.publish(found("x" * LARGE_MESSAGE_BYTES))
        await broker.start()
        for _ in range(600):
            if len(handled) == 2:
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(0.5)  # a give-back after the last message would come by now
    # Once, after the large one (the two may be handled in either order).
    assert len(handled) == 2 and len(given_back) == 1
    assert LARGE_MESSAGE_BYTES in given_back[0]
