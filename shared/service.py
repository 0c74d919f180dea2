"""What every pipeline service's composition root shares: the broker, the topology, the app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from typing import Any

import aio_pika
import anyio
import structlog
from faststream import FastStream
from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel

from shared import telemetry
from shared.fault_injection import crash_before_publish
from shared.messaging import (
    FailureEvents,
    Handler,
    RetryPolicy,
    declare_topology,
    subscribe,
)
from shared.observability import broker_middlewares, instrumented
from shared.readiness import Probe, wait_for
from shared.settings import BrokerSettings, StorageSettings
from shared.storage import ObjectStore, S3ObjectStore
from shared.topology import ALL_CONSUMERS, EVENT_LOG, EVENTS, Consumer
from shared.traced_storage import TracedObjectStore

log = structlog.get_logger(__name__)


def make_broker(settings: BrokerSettings) -> RabbitBroker:
    return RabbitBroker(
        settings.broker_url,
        default_channel=Channel(prefetch_count=settings.broker_prefetch),
        middlewares=broker_middlewares(),
        log_level=logging.INFO if settings.log_messages else logging.DEBUG,
    )


async def declare_all(broker: RabbitBroker, settings: BrokerSettings) -> None:
    """Declare every consumer's queues, so no event is published before its queue exists."""
    await broker.connect()
    await declare_topology(broker, ALL_CONSUMERS, delivery_limit=settings.delivery_limit,
                           retries=len(settings.retry_delays_seconds))
    log_stream = await broker.declare_queue(EVENT_LOG)
    await log_stream.bind(await broker.declare_exchange(EVENTS), routing_key="#")


def broker_probe(broker: RabbitBroker, settings: BrokerSettings) -> Probe:
    """The broker serves, and the whole topology is declared on it."""

    async def answers_then_declare() -> None:
        # A robust connection cancelled mid-connect (by a timeout, a shutdown) keeps
        # reconnecting in the background for ever, and the process never exits: ask a plain
        # connection first, then let the declaring (quick, now) finish whatever happens.
        connection = await aio_pika.connect(settings.broker_url, timeout=5)
        await connection.close()
        with anyio.CancelScope(shield=True):
            await declare_all(broker, settings)

    return answers_then_declare


def make_app(broker: RabbitBroker, settings: BrokerSettings,
             needs: dict[str, Probe] | None = None) -> FastStream:
    """A FastStream app whose consumers start once the broker serves (and the whole topology
    is declared on it) and every other dependency it `needs` answers; until then it waits."""
    app = FastStream(broker)

    @app.on_startup
    async def wait_and_declare() -> None:
        await wait_for({"broker": broker_probe(broker, settings), **(needs or {})})

    return app


class Subscriptions:
    """Registers a service's consumers on its broker with the configured retry rules."""

    def __init__(self, broker: RabbitBroker, settings: BrokerSettings) -> None:
        self._broker = broker
        self._settings = settings
        self._retry = RetryPolicy(settings.retry_delays_seconds)

    @property
    def runs_everything(self) -> bool:
        """True unless this process is a stage worker (`only_consumers`): only then does it
        run its service's periodic jobs too."""
        return not self._settings.only_consumers

    def runs(self, consumer: Consumer) -> bool:
        return self.runs_everything or consumer.queue_name in self._settings.only_consumers

    def add(self, consumer: Consumer, handler: Handler,
            on_failure: FailureEvents | None = None, **options: Any) -> None:
        if not self.runs(consumer):
            return
        handler = instrumented(consumer.queue_name, handler)
        subscribe(self._broker, consumer, handler, retry=self._retry,
                  delivery_limit=self._settings.delivery_limit, on_failure=on_failure,
                  before_publish=crash_before_publish(consumer.queue_name), **options)


def make_store(settings: StorageSettings) -> ObjectStore:
    store = S3ObjectStore(endpoint=settings.endpoint, access_key=settings.s3_access_key,
                          secret_key=settings.s3_secret_key, secure=settings.s3_secure,
                          region=settings.s3_region)
    return TracedObjectStore(store) if telemetry.enabled() else store


def run_periodically(app: FastStream, job: Callable[[], Awaitable[None]],
                     every_seconds: float) -> None:
    """Run `job` once the app has started and then every `every_seconds`, until it stops;
    a failing run is logged and the next one tries again."""

    async def loop() -> None:
        while True:
            try:
                await job()
            except Exception as error:
                log.warning("periodic.failed", job=job.__name__, error=str(error))
            await asyncio.sleep(every_seconds)

    run_in_background(app, loop)


def run_in_background(app: FastStream, task: Callable[[], Awaitable[None]]) -> None:
    """Run `task` from the app's start until it stops."""
    tasks: list[asyncio.Task] = []

    @app.after_startup
    async def start() -> None:
        tasks.append(asyncio.create_task(task()))

    @app.on_shutdown
    async def stop() -> None:
        for task in tasks:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
