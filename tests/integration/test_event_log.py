"""Every event published to the pipeline is appended to the event log stream, in order."""

from __future__ import annotations

import asyncio
import uuid

import aio_pika

from shared.events import UploadFailed
from shared.messaging import EventBus
from shared.service import declare_all, make_broker
from shared.settings import BrokerSettings
from shared.topology import EVENT_LOG


async def publish_and_read(url: str) -> tuple[list[str], list[str]]:
    settings = BrokerSettings(broker_url=url)
    broker = make_broker(settings)
    sent = []
    async with broker:
        await declare_all(broker, settings)
        for index in range(3):
            upload = uuid.uuid4()
            event = UploadFailed(event_id=UploadFailed.id_for(upload), upload_id=upload,
                                 stage="unpack", reason=f"reason {index}")
            await EventBus(broker).publish(event)
            sent.append(str(event.event_id))
    connection = await aio_pika.connect(url)
    seen: list[str] = []
    everything_seen = asyncio.Event()
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=100)
        queue = await channel.declare_queue(EVENT_LOG.name, passive=True)

        async def record(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            seen.append(message.message_id)
            await message.ack()
            if set(sent) <= set(seen):
                everything_seen.set()

        # A stream cannot take messages back (no nack), so read through a plain consumer
        # and cancel it, rather than an iterator that hands unread messages back on close.
        tag = await queue.consume(record, arguments={"x-stream-offset": "first"})
        await everything_seen.wait()
        await queue.cancel(tag)
    return sent, seen


def test_published_events_are_appended_to_the_log_in_order(broker_url):
    sent, seen = asyncio.run(asyncio.wait_for(publish_and_read(broker_url), 30))
    positions = [seen.index(message_id) for message_id in sent]
    assert positions == sorted(positions)
