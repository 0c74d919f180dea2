"""Composition root of the ingest service: the unpack, extract, parse and cleanup consumers,
and the periodic removal of expired originals."""

from __future__ import annotations

import asyncio
from contextlib import suppress

import anyio
import structlog
from faststream import FastStream

from services.catalog.db import make_engine, make_sessions
from services.ingest.archives import ExtractionLimits
from services.ingest.consumers import cleanup, edit, extract, forget, parse, unpack
from services.ingest.retention import remove_expired_originals
from shared.service import Subscriptions, make_app, make_broker, make_store
from shared.settings import BrokerSettings, DatabaseSettings, IngestSettings, StorageSettings
from shared.song_store import SongStore
from shared.storage import ObjectStore
from shared.topology import CLEANUP, EDIT, EXTRACT, FORGET, PARSE, UNPACK

log = structlog.get_logger(__name__)
RETENTION_SWEEP_SECONDS = 600.0


class IngestServiceSettings(BrokerSettings, DatabaseSettings, StorageSettings, IngestSettings):
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
    subscriptions.add(EDIT, edit.make_handler(songs))
    subscriptions.add(FORGET, forget.make_handler(store, settings.songs_bucket))
    app = make_app(broker, settings)
    sweeper: list[asyncio.Task] = []

    async def sweep_forever() -> None:
        while True:
            try:
                await anyio.to_thread.run_sync(remove_expired_originals, store, sessions,
                                               settings.original_retention_hours)
            except Exception as error:
                log.warning("retention.sweep_failed", error=str(error))
            await asyncio.sleep(RETENTION_SWEEP_SECONDS)

    @app.after_startup
    async def start_sweeper() -> None:
        sweeper.append(asyncio.create_task(sweep_forever()))

    @app.on_shutdown
    async def stop_sweeper() -> None:
        for task in sweeper:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task

    return app
