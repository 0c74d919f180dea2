"""Composition root of the ingest service: its consumers (unpack, extract, parse, cleanup,
edit, forget, bucket notifications) and its periodic jobs (expired originals, drop reconciler,
blob collector)."""

from __future__ import annotations

from datetime import timedelta

import anyio
from faststream import FastStream
from sqlalchemy.orm import Session, sessionmaker

from services.ingest.blob_lock import PostgresBlobLock
from services.ingest.bucket_drops import parse_notification
from services.ingest.collector import BlobCollector
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
from services.ingest.edit_lock import PostgresSongEditLock
from services.ingest.reconciler import unannounced_drops
from services.ingest.retention import (
    remove_expired_custom_originals,
    remove_expired_originals,
)
from services.ingest.song_catalog import PostgresSongCatalog
from services.ingest.staging_sweep import sweep_ended
from shared.messaging import EventBus
from shared.observability import garbage_collected
from shared.persistence.db import make_engine, make_sessions
from shared.persistence.stored_references import read_references
from shared.readiness import database_probe, object_store_probe
from shared.service import Subscriptions, make_app, make_broker, make_store, run_periodically
from shared.settings import (
    BrokerSettings,
    DatabaseSettings,
    IngestSettings,
    StorageSettings,
    TelemetrySettings,
)
from shared.song_store import SongStore, read_pieces
from shared.songs.archives import ExtractionLimits
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
    lock = PostgresBlobLock(sessions)
    songs = SongStore(store, settings.songs_bucket, lock.writing, read_file=read_pieces)
    limits = ExtractionLimits(max_total_bytes=settings.max_extracted_bytes,
                              max_entries=settings.max_archive_entries,
                              max_ratio=settings.max_compression_ratio)
    staging_root = settings.staging_dir

    subscriptions.add(UNPACK, unpack.make_handler(store, staging_root, limits,
                                                  settings.staging_uploads_ahead),
                      on_failure=unpack.failed)
    catalog = PostgresSongCatalog(sessions)
    subscriptions.add(EXTRACT, extract.make_handler(store, songs, catalog, staging_root, limits,
                                                    read_file=read_pieces),
                      on_failure=extract.failed)
    subscriptions.add(PARSE, parse.make_handler(songs), on_failure=parse.failed)
    subscriptions.add(CLEANUP, cleanup.make_handler(staging_root))
    subscriptions.add(GENERATE, generate.make_handler(store, settings.generator_max_seconds),
                      on_failure=generate.failed)
    subscriptions.add(EDIT, edit.make_handler(songs, PostgresSongEditLock(sessions)))
    subscriptions.add(FORGET, forget.make_handler(store, settings.songs_bucket))
    subscriptions.add(CUSTOM_CHECK, custom.make_handler(store, settings.songs_bucket, lock.writing),
                      on_failure=custom.failed)
    subscriptions.add(BUCKET, bucket.make_handler(store, sessions, settings.drop_prefix),
                      decode=parse_notification)
    app = make_app(broker, settings, needs={
        "database": database_probe(sessions),
        "object_store": object_store_probe(store, settings.uploads_bucket)})
    bus = EventBus(broker)

    async def remove_originals() -> None:
        for sweep in (remove_expired_originals, remove_expired_custom_originals):
            await anyio.to_thread.run_sync(sweep, store, sessions,
                                           settings.original_retention_hours)

    async def reconcile_drops() -> None:
        announcements = await anyio.to_thread.run_sync(
            unannounced_drops, store, sessions, settings.uploads_bucket, settings.drop_prefix)
        await bus.publish_all(announcements)

    collector = make_collector(settings, store, sessions)

    async def collect_garbage() -> None:
        report = await anyio.to_thread.run_sync(collector.run)
        garbage_collected(report.blobs, report.manifests, report.bytes)

    async def sweep_staging() -> None:
        await anyio.to_thread.run_sync(sweep_ended, staging_root, sessions)

    # Every process: each frees its own host's staging areas.
    run_periodically(app, sweep_staging, settings.staging_sweep_seconds)
    if subscriptions.runs_everything:
        run_periodically(app, remove_originals, RETENTION_SWEEP_SECONDS)
        run_periodically(app, reconcile_drops, settings.bucket_scan_seconds)
        run_periodically(app, collect_garbage, settings.gc_interval_seconds)
    return app


def make_collector(settings: IngestServiceSettings, store: ObjectStore,
                   sessions: sessionmaker[Session]) -> BlobCollector:
    return BlobCollector(store, settings.songs_bucket, lambda: read_references(sessions),
                         PostgresBlobLock(sessions), timedelta(hours=settings.gc_window_hours))
