"""Composition root of the ingest service: its consumers (unpack, extract, parse, cleanup,
edit, forget, bucket notifications) and its periodic jobs (expired originals, drop reconciler)."""

from __future__ import annotations

import anyio
from faststream import FastStream

from services.catalog.db import make_engine, make_sessions
from services.ingest.archives import ExtractionLimits
from services.ingest.bucket_drops import parse_notification
from services.ingest.consumers import (
    bucket,
    cleanup,
    custom,
    edit,
    extract,
    forget,
    generate,
    parse,
    unpack,
)
from services.ingest.reconciler import unannounced_drops
from services.ingest.retention import (
    remove_expired_custom_originals,
    remove_expired_originals,
)
from shared.messaging import EventBus
from shared.service import Subscriptions, make_app, make_broker, make_store, run_periodically
from shared.settings import (
    BrokerSettings,
    DatabaseSettings,
    IngestSettings,
    StorageSettings,
    TelemetrySettings,
)
from shared.song_store import SongStore
from shared.storage import ObjectStore
from shared.topology import (
    BUCKET,
    CLEANUP,
    CUSTOM_CHECK,
    EDIT,
    EXTRACT,
    FORGET,
    GENERATE,
    PARSE,
    UNPACK,
)

RETENTION_SWEEP_SECONDS = 600.0


class IngestServiceSettings(BrokerSettings, DatabaseSettings, StorageSettings, IngestSettings,
                            TelemetrySettings):
    """Every setting this service reads."""


def create_app(settings: IngestServiceSettings | None = None,
               store: ObjectStore | None = None) -> FastStream:
    settings = settings or IngestServiceSettings()
    store = store or make_store(settings)
    broker = make_broker(settings)
    subscriptions = Subscriptions(broker, settings)
    sessions = make_sessions(make_engine(settings.database_url, settings.database_pool_size))
    songs = SongStore(store, settings.songs_bucket)
    limits = ExtractionLimits(max_total_bytes=settings.max_extracted_bytes,
                              max_entries=settings.max_archive_entries,
                              max_ratio=settings.max_compression_ratio)
    staging_root = settings.staging_dir

    subscriptions.add(UNPACK, unpack.make_handler(store, staging_root, limits),
                      on_failure=unpack.failed)
    subscriptions.add(EXTRACT, extract.make_handler(store, songs, sessions, staging_root, limits),
                      on_failure=extract.failed)
    subscriptions.add(PARSE, parse.make_handler(songs), on_failure=parse.failed)
    subscriptions.add(CLEANUP, cleanup.make_handler(staging_root))
    subscriptions.add(GENERATE, generate.make_handler(store, settings.generator_max_seconds),
                      on_failure=generate.failed)
    subscriptions.add(EDIT, edit.make_handler(songs))
    subscriptions.add(FORGET, forget.make_handler(store, settings.songs_bucket))
    subscriptions.add(CUSTOM_CHECK, custom.make_handler(store, settings.songs_bucket),
                      on_failure=custom.failed)
    subscriptions.add(BUCKET, bucket.make_handler(store, sessions, settings.drop_prefix),
                      decode=parse_notification)
    app = make_app(broker, settings)
    bus = EventBus(broker)

    async def remove_originals() -> None:
        for sweep in (remove_expired_originals, remove_expired_custom_originals):
            await anyio.to_thread.run_sync(sweep, store, sessions,
                                           settings.original_retention_hours)

    async def reconcile_drops() -> None:
        announcements = await anyio.to_thread.run_sync(
            unannounced_drops, store, sessions, settings.uploads_bucket, settings.drop_prefix)
        await bus.publish_all(announcements)

    run_periodically(app, remove_originals, RETENTION_SWEEP_SECONDS)
    run_periodically(app, reconcile_drops, settings.bucket_scan_seconds)
    return app
