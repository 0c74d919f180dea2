"""Composition root of the catalog service: the catalog and progress consumers, and the relay
of the catalog's outbox."""

from __future__ import annotations

from faststream import FastStream

from services.catalog.consumers import catalog, custom, progress
from services.catalog.library_metrics import watch_library
from shared.messaging import EventBus
from shared.outbox import OutboxRelay
from shared.persistence.db import make_engine, make_sessions
from shared.readiness import database_probe
from shared.service import Subscriptions, make_app, make_broker, run_in_background
from shared.settings import BrokerSettings, DatabaseSettings, TelemetrySettings
from shared.topology import CATALOG, CUSTOM_CATALOG, PROGRESS


class CatalogSettings(BrokerSettings, DatabaseSettings, TelemetrySettings):
    """Every setting this service reads."""

    generate_difficulties: bool = False
    """Every new song with parts charted on Expert only gets Hard, Medium and Easy generated
    from Expert, as its second revision (each upload may also ask for it)."""


def create_app(settings: CatalogSettings | None = None) -> FastStream:
    settings = settings or CatalogSettings()
    broker = make_broker(settings)
    subscriptions = Subscriptions(broker, settings)
    sessions = make_sessions(make_engine(settings.database_url, settings.database_pool_size))
    relay = OutboxRelay(sessions, EventBus(broker), catalog.PUBLISHER)
    watch_library(sessions)
    subscriptions.add(CATALOG, catalog.make_handler(
        sessions, relay, generate_difficulties=settings.generate_difficulties),
        on_failure=catalog.failed)
    subscriptions.add(PROGRESS, progress.make_handler(sessions))
    subscriptions.add(CUSTOM_CATALOG, custom.make_handler(sessions))
    app = make_app(broker, settings, needs={"database": database_probe(sessions)})
    run_in_background(app, relay.run)
    return app
