"""How every consumer handles a message: at-least-once, idempotent, retried, dead-lettered.

A consumer is a plain async function from an event to the events it causes. `subscribe`
wraps it: the outgoing events are published (persistent, confirmed) before the incoming
message is acknowledged, so a crash at any point means redelivery, never loss. Consumers
are written so that redelivery is harmless and yields the same events with the same ids.

Failures:
- `PermanentError`: the input itself is bad; the consumer's `on_failure` events say why
  (for example `SongFailed`) and the message is acknowledged.
- anything else is presumed transient (a database or S3 server briefly away): the message
  goes to the consumer's delay queue for that attempt and comes back after the backoff;
  after the last attempt it is dead-lettered with its reason, and `on_failure` events tell
  the user.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

import structlog
from faststream import AckPolicy
from faststream.rabbit import RabbitBroker
from faststream.rabbit.message import RabbitMessage
from pydantic import ValidationError

from shared import native_heap
from shared.events import Event, load_event
from shared.topology import ATTEMPT_HEADER, DEAD, EVENTS, REASON_HEADER, Consumer

log = structlog.get_logger(__name__)

LARGE_MESSAGE_BYTES = 256 * 1024
"""A body this large (a song's scan with thousands of issues) is read into many times its size
of small objects; once it is handled, the free pages they leave go back to the system."""

Handler = Callable[[Any], Awaitable[Sequence[Event]]]
FailureEvents = Callable[[Any, str], Sequence[Event]]


class PermanentError(Exception):
    """The input cannot be processed, however often it is tried."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EventBus:
    """Publishes events to the topic exchange, persistent and confirmed."""

    def __init__(self, broker: RabbitBroker) -> None:
        self._broker = broker

    async def publish(self, event: Event) -> None:
        await self._broker.publish(
            event.model_dump_json().encode(),
            exchange=EVENTS,
            routing_key=event.routing_key,
            persist=True,
            message_id=str(event.event_id),
            correlation_id=str(event.upload_id) if event.upload_id else None,
            message_type=event.routing_key,
            content_type="application/json",
        )

    async def send(self, consumer: Consumer, event: Event) -> None:
        """Deliver `event` to one consumer only (a replay), not to everyone bound to it."""
        await self._broker.publish(
            event.model_dump_json().encode(), queue=consumer.queue_name, persist=True,
            message_id=str(event.event_id), message_type=event.routing_key,
            correlation_id=str(event.upload_id) if event.upload_id else None,
            content_type="application/json",
        )

    async def publish_all(self, events: Sequence[Event]) -> None:
        for event in events:
            await self.publish(event)


@dataclass(frozen=True)
class RetryPolicy:
    delays: tuple[float, ...]

    def delay_after(self, attempt: int) -> float | None:
        """Seconds to wait before attempt `attempt + 1`, or None when attempts are used up."""
        return self.delays[attempt - 1] if attempt <= len(self.delays) else None


def attempt_of(headers: dict[str, Any], consumer: Consumer) -> int:
    """Which attempt this delivery is (1 for the first), from our header and `x-death`."""
    counted = int(headers.get(ATTEMPT_HEADER, 1))
    retries = sum(
        int(death.get("count", 1))
        for death in headers.get("x-death") or ()
        if str(death.get("queue", "")).startswith(f"{consumer.queue_name}.retry.")
        and death.get("reason") == "expired"
    )
    return max(counted, retries + 1)


def _describe(error: BaseException) -> str:
    text = str(error).strip() or type(error).__name__
    return text if len(text) < 500 else text[:497] + "..."


def subscribe(broker: RabbitBroker, consumer: Consumer, handler: Handler, *,
              retry: RetryPolicy, delivery_limit: int,
              on_failure: FailureEvents | None = None,
              before_publish: Callable[[], None] | None = None,
              decode: Callable[[bytes], Any] = load_event,
              after_large_message: Callable[[], object] = native_heap.give_back) -> None:
    """Register `handler` as `consumer` on `broker` with the retry and dead-letter rules.

    `before_publish` runs after the handler's effects are committed and before its events are
    published: the place where crash tests make the process die. `consumer.at_once`: how many
    of its messages are read and handled at the same time (by default, as many as the
    channel's prefetch delivers); the others wait as they arrived, unread.
    `after_large_message` runs once a message of LARGE_MESSAGE_BYTES or more is handled.
    """
    bus = EventBus(broker)
    # Not a prefetch of the consumer's own channel: faststream subscribes to a queue on the
    # channel it was first declared on, and `declare_topology` declares every queue first.
    turns: AbstractAsyncContextManager[Any] = (
        asyncio.Semaphore(consumer.at_once) if consumer.at_once else nullcontext())

    async def dead_letter(message: RabbitMessage, reason: str, attempt: int) -> None:
        await broker.publish(
            message.body, exchange=DEAD, routing_key=consumer.queue_name, persist=True,
            headers={**_plain_headers(message), REASON_HEADER: reason, ATTEMPT_HEADER: attempt},
            message_id=message.message_id, content_type="application/json",
        )

    async def retry_later(message: RabbitMessage, attempt: int, delay: float) -> None:
        await broker.publish(
            message.body, queue=consumer.retry_queue_name(attempt), persist=True,
            expiration=delay, headers={**_plain_headers(message), ATTEMPT_HEADER: attempt + 1},
            message_id=message.message_id, content_type="application/json",
        )

    async def handle(body: Any) -> None:  # the body, as `undecoded` hands it on
        message: RabbitMessage = broker.context.get_local("message")
        async with turns:
            await handle_now(message)
        if len(message.body) >= LARGE_MESSAGE_BYTES:
            after_large_message()

    async def handle_now(message: RabbitMessage) -> None:
        attempt = attempt_of(message.headers, consumer)
        try:
            event = decode(message.body)
        except ValidationError as error:
            log.error("message.unreadable", queue=consumer.queue_name, error=_describe(error))
            await dead_letter(message, f"Unreadable message: {_describe(error)}", attempt)
            await message.ack()
            return
        with structlog.contextvars.bound_contextvars(**_context_of(event, consumer, attempt)):
            try:
                outcome = await handler(event)
            except PermanentError as error:
                log.warning("message.failed", reason=error.reason)
                outcome = on_failure(event, error.reason) if on_failure else ()
            except Exception as error:
                delay = retry.delay_after(attempt)
                if delay is None:
                    reason = f"Gave up after {attempt} attempts: {_describe(error)}"
                    log.error("message.dead_lettered", reason=reason)
                    await bus.publish_all(on_failure(event, reason) if on_failure else ())
                    await dead_letter(message, reason, attempt)
                else:
                    log.warning("message.retrying", delay_s=delay, error=_describe(error))
                    await retry_later(message, attempt, delay)
                await message.ack()
                return
            if before_publish is not None:
                before_publish()
            await bus.publish_all(outcome)
            await message.ack()

    handle.__name__ = f"handle_{consumer.name}"
    broker.subscriber(consumer.queue(delivery_limit), consumer.exchange,
                      ack_policy=AckPolicy.NACK_ON_ERROR, title=consumer.queue_name,
                      decoder=undecoded)(handle)


async def undecoded(message: RabbitMessage) -> bytes:
    """The body as received: `handle` reads it once, into the event, where faststream would
    first parse it into a dict of its own (a second copy of a scan's thousands of objects).
    A coroutine: faststream runs a plain-function decoder in a worker thread, a thread hop for
    every message, as it resolves a `Context("message")` parameter (so `handle` reads the
    message from the context itself). Not the message: kept as its decoded body, it would
    refer to itself, and only the cyclic garbage collector would free it and its body."""
    return message.body


def _plain_headers(message: RabbitMessage) -> dict[str, Any]:
    return {k: v for k, v in (message.headers or {}).items() if k != "x-death"}


def _context_of(event: Any, consumer: Consumer, attempt: int) -> dict[str, Any]:
    context: dict[str, Any] = {"queue": consumer.queue_name, "attempt": attempt}
    if isinstance(event, Event):
        context["event_id"] = str(event.event_id)
    if getattr(event, "upload_id", None):
        context["upload_id"] = str(event.upload_id)
    song_id: uuid.UUID | None = getattr(event, "song_id", None)
    if song_id:
        context["song_id"] = str(song_id)
    return context


async def declare_topology(broker: RabbitBroker, consumers: Sequence[Consumer], *,
                           delivery_limit: int, retries: int) -> None:
    """Declare the exchanges and each consumer's queues and bindings, and unbind the keys it
    no longer listens to (idempotent)."""
    dead = await broker.declare_exchange(DEAD)
    for consumer in consumers:
        exchange = await broker.declare_exchange(consumer.exchange)
        queue = await broker.declare_queue(consumer.queue(delivery_limit))
        for key in consumer.routing_keys:
            await queue.bind(exchange, routing_key=key)
        for key in consumer.retired_keys:
            await queue.unbind(exchange, routing_key=key)
        dead_queue = await broker.declare_queue(consumer.dead_queue())
        await dead_queue.bind(dead, routing_key=consumer.queue_name)
        for attempt in range(1, retries + 1):
            await broker.declare_queue(consumer.retry_queue(attempt))
