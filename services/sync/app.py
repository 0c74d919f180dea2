"""Composition root of the sync service, sole writer of the content folder: the publish
consumer (songs), the custom consumer (the Custom folder), the setlists consumer (the Setlists
folder) and the rigs consumer (each rig's selection, carried out in Syncthing)."""

from __future__ import annotations

from functools import partial

import anyio
from faststream import FastStream

from services.sync.consumers import custom, publish, rigs, setlists
from services.sync.content_folder import ContentFolder
from services.sync.custom_folder import CustomFolder
from services.sync.rescans import BatchedRescans
from services.sync.rig_follower import RigFollower
from services.sync.rig_selections import CatalogRigSelections
from services.sync.rig_sharing import RigSharing
from services.sync.setlist_files import SetlistFiles, write_at_start
from services.sync.setlist_folder import SetlistFolder
from services.sync.sharing import ContentSharing
from shared.persistence.db import make_engine, make_sessions
from shared.readiness import database_probe, object_store_probe
from shared.service import (
    Subscriptions,
    make_app,
    make_broker,
    make_store,
    run_in_background,
    run_periodically,
)
from shared.settings import (
    BrokerSettings,
    ContentSettings,
    DatabaseSettings,
    StorageSettings,
    SyncthingSettings,
    TelemetrySettings,
)
from shared.song_store import SongStore
from shared.storage import ObjectStore
from shared.syncthing import SyncthingPort, SyncthingRest
from shared.topology import CUSTOM_PUBLISH, PUBLISH, RIGS, SETLISTS


class SyncSettings(BrokerSettings, StorageSettings, ContentSettings, SyncthingSettings,
                   TelemetrySettings, DatabaseSettings):
    """Every setting this service reads."""


def create_app(settings: SyncSettings | None = None, store: ObjectStore | None = None,
               syncthing: SyncthingPort | None = None) -> FastStream:
    settings = settings or SyncSettings()
    broker = make_broker(settings)
    subscriptions = Subscriptions(broker, settings)
    store = store or make_store(settings)
    songs = SongStore(store, settings.songs_bucket)
    content = ContentFolder(settings.content_dir)
    sharing = make_sharing(settings, syncthing)
    rescans = BatchedRescans(sharing) if sharing is not None else None
    subscriptions.add(PUBLISH, publish.make_handler(songs, content, rescans),
                      on_failure=publish.failed)
    subscriptions.add(CUSTOM_PUBLISH, custom.make_handler(
        store, settings.songs_bucket, CustomFolder(settings.content_dir), sharing))
    sessions = make_sessions(make_engine(settings.database_url, settings.database_pool_size))
    follower = RigFollower(CatalogRigSelections(sessions), make_rig_sharing(settings, sharing))
    subscriptions.add(RIGS, rigs.make_handler(follower))
    setlist_files = SetlistFiles(sessions, songs, SetlistFolder(settings.content_dir), sharing)
    subscriptions.add(SETLISTS, setlists.make_handler(setlist_files))
    app = make_app(broker, settings, needs={
        "database": database_probe(sessions),
        "object_store": object_store_probe(store, settings.songs_bucket)})
    if subscriptions.runs(RIGS):
        run_in_background(app, follower.run)
    if subscriptions.runs(SETLISTS):
        run_in_background(app, partial(write_at_start, setlist_files))
    if sharing is not None:
        @app.on_startup
        async def share_content() -> None:
            await anyio.to_thread.run_sync(sharing.ensure_folders)
    if rescans is not None:
        async def rescan_published() -> None:
            await anyio.to_thread.run_sync(rescans.flush)

        run_periodically(app, rescan_published, settings.syncthing_rescan_batch_seconds)
        app.after_shutdown(rescan_published)
    return app


def make_sharing(settings: SyncSettings,
                 syncthing: SyncthingPort | None = None) -> ContentSharing | None:
    """The Syncthing link, or None when no Syncthing is configured."""
    if syncthing is None and settings.syncthing_url is None:
        return None
    if syncthing is None:
        key = settings.syncthing_api_key.get_secret_value() if settings.syncthing_api_key else ""
        syncthing = SyncthingRest(settings.syncthing_url, key, settings.syncthing_timeout_seconds)
    return ContentSharing(syncthing, settings.content_dir, settings.syncthing_content_dir)


def make_rig_sharing(settings: SyncSettings, sharing: ContentSharing | None) -> RigSharing:
    return RigSharing(sharing.syncthing if sharing else None, settings.content_dir,
                      settings.syncthing_content_dir)
