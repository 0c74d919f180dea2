"""Pipeline health for the home page: each consumer queue's depth, dead letters and consumers,
and which services are up."""

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


class QueueDepths:
    """Every consumer's queue, read by passive declares (which create nothing) over one
    connection kept open between reads, so a page view opens no connection of its own."""

    def __init__(self, broker_url: str) -> None:
        self._broker_url = broker_url
        self._connection: aio_pika.abc.AbstractConnection | None = None
        self._channel: aio_pika.abc.AbstractChannel | None = None

    async def read(self) -> list[QueueHealth]:
        """Each queue's depths; [] when the broker cannot be reached."""
        try:
            with anyio.fail_after(5):
                return [await self._queue_health(consumer) for consumer in ALL_CONSUMERS]
        except (Exception, TimeoutError):
            await self.close()  # the next read connects afresh
            return []

    async def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None and not connection.is_closed:
            await connection.close()

    async def _queue_health(self, consumer: Consumer) -> QueueHealth:
        main = await self._declared(consumer.queue_name)
        dead = await self._declared(consumer.dead_queue_name)
        return QueueHealth(consumer.service, consumer.queue_name,
                           main.message_count if main else None,
                           dead.message_count if dead else None,
                           main.consumer_count if main else None)

    async def _declared(self, name: str):
        try:
            queue = await (await self._open_channel()).declare_queue(name, passive=True)
            return queue.declaration_result
        except aio_pika.exceptions.ChannelClosed:
            return None  # a missing queue: the broker closed the channel, the next opens anew

    async def _open_channel(self) -> aio_pika.abc.AbstractChannel:
        if self._connection is None or self._connection.is_closed:
            self._connection = await aio_pika.connect(self._broker_url, timeout=3)
            self._channel = None
        if self._channel is None or self._channel.is_closed:
            self._channel = await self._connection.channel()
        return self._channel


def services_up(queues: list[QueueHealth]) -> dict[str, bool | None]:
    """A service is up when each of its queues has a consumer; None when the broker is away."""
    status: dict[str, bool | None] = {}
    for queue in queues:
        up = None if queue.consumers is None else queue.consumers > 0
        previous = status.get(queue.service, True)
        status[queue.service] = None if up is None or previous is None else previous and up
    return status
