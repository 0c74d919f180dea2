"""What every pipeline service's composition root shares: the broker, the topology, the app."""

from __future__ import annotations

from faststream import FastStream
from faststream.rabbit import RabbitBroker
from faststream.rabbit.schemas import Channel

from shared.messaging import declare_topology
from shared.settings import BrokerSettings, StorageSettings
from shared.storage import S3ObjectStore
from shared.topology import ALL_CONSUMERS


def make_broker(settings: BrokerSettings) -> RabbitBroker:
    return RabbitBroker(
        settings.broker_url,
        default_channel=Channel(prefetch_count=settings.broker_prefetch),
    )


async def declare_all(broker: RabbitBroker, settings: BrokerSettings) -> None:
    """Declare every consumer's queues, so no event is published before its queue exists."""
    await broker.connect()
    await declare_topology(broker, ALL_CONSUMERS, delivery_limit=settings.delivery_limit,
                           retries=len(settings.retry_delays_seconds))


def make_app(broker: RabbitBroker, settings: BrokerSettings) -> FastStream:
    """A FastStream app that declares the whole topology before its consumers start."""
    app = FastStream(broker)

    @app.on_startup
    async def declare() -> None:
        await declare_all(broker, settings)

    return app


def make_store(settings: StorageSettings) -> S3ObjectStore:
    return S3ObjectStore(endpoint=settings.endpoint, access_key=settings.s3_access_key,
                         secret_key=settings.s3_secret_key, secure=settings.s3_secure,
                         region=settings.s3_region)
