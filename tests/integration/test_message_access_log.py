"""Each message received and processed is logged at INFO only when `log_messages` asks for it;
by default a library's import does not print two lines for each of its messages."""

from __future__ import annotations

import asyncio
import uuid

from faststream.rabbit import RabbitQueue

from shared.service import make_broker
from shared.settings import BrokerSettings


async def _deliver_one(log_messages: bool) -> None:
    """One message through a queue of its own (removed when the consumer leaves)."""
    broker = make_broker(BrokerSettings(log_messages=log_messages))
    handled = asyncio.Event()
    queue = RabbitQueue(f"access-log-{uuid.uuid4().hex[:8]}", auto_delete=True)

    @broker.subscriber(queue)
    async def handle(body: str) -> None:
        handled.set()

    async with broker:
        await broker.start()
        await broker.publish("a song", queue.name)
        await asyncio.wait_for(handled.wait(), 10)
        await asyncio.sleep(0.2)  # "Processed" is logged after the handler returns


async def test_messages_are_not_logged_one_by_one_by_default(capfd):
    await _deliver_one(log_messages=False)
    assert "Received" not in capfd.readouterr().err


async def test_messages_are_logged_one_by_one_when_asked(capfd):
    await _deliver_one(log_messages=True)
    err = capfd.readouterr().err
    assert "Received" in err and "Processed" in err
