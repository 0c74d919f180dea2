"""Pipeline health for the home page: queue depths, dead letters and consumers per service."""

from __future__ import annotations

from dataclasses import dataclass

import aio_pika
import anyio

from shared.topology import ALL_CONSUMERS, Consumer


@dataclass(frozen=True)
class QueueHealth:
    service: str
    queue: str
    waiting: int | None
    dead: int | None
    consumers: int | None

    @property
    def state(self) -> str:
        if self.waiting is None:
            return "unknown"
        return "stalled" if self.consumers == 0 and self.waiting else "ok"


async def pipeline_health(broker_url: str) -> list[QueueHealth]:
    """Every consumer's queue, by passive declares (which create nothing); [] if unreachable."""
    try:
        with anyio.fail_after(5):
            connection = await aio_pika.connect(broker_url, timeout=3)
            async with connection:
                return [await _queue_health(connection, consumer) for consumer in ALL_CONSUMERS]
    except (Exception, TimeoutError):
        return []


async def _queue_health(connection: aio_pika.abc.AbstractConnection,
                        consumer: Consumer) -> QueueHealth:
    main = await _declared(connection, consumer.queue_name)
    dead = await _declared(connection, consumer.dead_queue_name)
    return QueueHealth(consumer.service, consumer.queue_name,
                       main.message_count if main else None,
                       dead.message_count if dead else None,
                       main.consumer_count if main else None)


async def _declared(connection: aio_pika.abc.AbstractConnection, name: str):
    # A passive declare of a missing queue closes its channel, so each gets its own.
    try:
        async with connection.channel() as channel:
            queue = await channel.declare_queue(name, passive=True)
            return queue.declaration_result
    except aio_pika.exceptions.ChannelClosed:
        return None


def services_up(queues: list[QueueHealth]) -> dict[str, bool | None]:
    """A service is up when each of its queues has a consumer; None when the broker is away."""
    status: dict[str, bool | None] = {}
    for queue in queues:
        up = None if queue.consumers is None else queue.consumers > 0
        previous = status.get(queue.service, True)
        status[queue.service] = None if up is None or previous is None else previous and up
    return status
