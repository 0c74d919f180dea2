"""Dead-lettered messages: list them with their reason, retry them into their consumer's queue,
or discard them. Used by `chhub dlq` and the gateway's operations page."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import aio_pika

from shared.topology import ALL_CONSUMERS, ATTEMPT_HEADER, REASON_HEADER, Consumer


@dataclass(frozen=True)
class DeadLetter:
    queue: str
    message_id: str | None
    event_type: str | None
    reason: str
    attempts: int
    body: dict[str, Any] | str
    headers: dict[str, Any]

    @property
    def stage(self) -> str:
        return self.queue.rsplit(".", 1)[-1]


def _consumer(queue: str) -> Consumer:
    for consumer in ALL_CONSUMERS:
        if queue in (consumer.queue_name, consumer.dead_queue_name):
            return consumer
    raise ValueError(f"no consumer has the queue {queue!r}")


def _describe(consumer: Consumer, message: aio_pika.abc.AbstractIncomingMessage) -> DeadLetter:
    headers = dict(message.headers or {})
    deaths = headers.get("x-death") or []
    reason = headers.get(REASON_HEADER) or (
        f"Redelivered too often ({deaths[0].get('reason')})" if deaths else "unknown")
    try:
        body: dict[str, Any] | str = json.loads(message.body)
    except ValueError:
        body = message.body.decode("utf-8", "replace")
    return DeadLetter(
        queue=consumer.queue_name, message_id=message.message_id,
        event_type=body.get("event_type") if isinstance(body, dict) else None,
        reason=str(reason), attempts=int(headers.get(ATTEMPT_HEADER, 0) or 0),
        body=body, headers={k: v for k, v in headers.items() if k != "x-death"})


async def list_dead_letters(url: str, consumers: Sequence[Consumer] = ALL_CONSUMERS
                            ) -> list[DeadLetter]:
    """Every dead letter, oldest first, left in place."""
    found: list[DeadLetter] = []
    connection = await aio_pika.connect(url)
    async with connection:
        for consumer in consumers:
            channel = await connection.channel()
            queue = await channel.declare_queue(consumer.dead_queue_name, passive=True)
            for _ in range(queue.declaration_result.message_count or 0):
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                found.append(_describe(consumer, message))
            await channel.close()  # unacknowledged messages go back, in order
    return found


async def settle(url: str, queue: str, message_id: str | None, *, retry: bool) -> int:
    """Retry (back into the consumer's queue, attempts reset) or discard the dead letters of
    `queue` with `message_id` (all of them when None); how many."""
    consumer = _consumer(queue)
    settled = 0
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        dead = await channel.declare_queue(consumer.dead_queue_name, passive=True)
        for _ in range(dead.declaration_result.message_count or 0):
            message = await dead.get(no_ack=False, fail=False)
            if message is None:
                break
            if message_id is not None and message.message_id != message_id:
                continue
            if retry:
                headers = {k: v for k, v in (message.headers or {}).items()
                           if k not in ("x-death", REASON_HEADER, ATTEMPT_HEADER)}
                await channel.default_exchange.publish(
                    aio_pika.Message(message.body, headers=headers, message_id=message.message_id,
                                     content_type=message.content_type,
                                     delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=consumer.queue_name)
            await message.ack()
            settled += 1
        await channel.close()
    return settled
