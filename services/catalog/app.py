"""Composition root of the catalog service: the catalog and progress consumers, and the relay
of the catalog's outbox."""

from __future__ import annotations

from faststream import FastStream

from services.catalog.consumers import catalog, custom, progress
from services.catalog.db import make_engine, make_sessions
from services.catalog.library_metrics import watch_library
from services.catalog.outbox import OutboxRelay
from shared.messaging import EventBus
from shared.service import Subscriptions, make_app, make_broker, run_in_background
from shared.settings import BrokerSettings, DatabaseSettings, TelemetrySettings
from shared.topology import CATALOG, CUSTOM_CATALOG, PROGRESS


class CatalogSettings(BrokerSettings, DatabaseSettings, TelemetrySettings):
    """Every setting this service reads."""


def create_app(settings: CatalogSettings | None = None) -> FastStream:
    settings = settings or CatalogSettings()
    broker = make_broker(settings)
    subscriptions = Subscriptions(broker, settings)
    sessions = make_sessions(make_engine(settings.database_url, settings.database_pool_size))
    relay = OutboxRelay(sessions, EventBus(broker))
    watch_library(sessions)
    subscriptions.add(CATALOG, catalog.make_handler(sessions, relay), on_failure=catalog.failed)
    subscriptions.add(PROGRESS, progress.make_handler(sessions))
    subscriptions.add(CUSTOM_CATALOG, custom.make_handler(sessions))
    app = make_app(broker, settings)
    run_in_background(app, relay.run)
    return app
