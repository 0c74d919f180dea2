"""Composition root of the sync service, sole writer of the content folder: the publish
consumer (songs), the custom consumer (the Custom folder) and the rigs consumer (each rig's
selection, carried out in Syncthing)."""

from __future__ import annotations

import anyio
from faststream import FastStream

from services.catalog.db import make_engine, make_sessions
from services.sync.consumers import custom, publish, rigs
from services.sync.content_folder import ContentFolder
from services.sync.custom_folder import CustomFolder
from services.sync.rig_follower import RigFollower
from services.sync.rig_selections import CatalogRigSelections
from services.sync.rig_sharing import RigSharing
from services.sync.sharing import ContentSharing
from services.sync.syncthing import SyncthingPort, SyncthingRest
from shared.service import (
    Subscriptions,
    make_app,
    make_broker,
    make_store,
    run_in_background,
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
from shared.topology import CUSTOM_PUBLISH, PUBLISH, RIGS


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
    subscriptions.add(PUBLISH, publish.make_handler(songs, content, sharing),
                      on_failure=publish.failed)
    subscriptions.add(CUSTOM_PUBLISH, custom.make_handler(
        store, settings.songs_bucket, CustomFolder(settings.content_dir), sharing))
    sessions = make_sessions(make_engine(settings.database_url, settings.database_pool_size))
    follower = RigFollower(CatalogRigSelections(sessions), make_rig_sharing(settings, sharing))
    subscriptions.add(RIGS, rigs.make_handler(follower))
    app = make_app(broker, settings)
    run_in_background(app, follower.run)
    if sharing is not None:
        @app.on_startup
        async def share_content() -> None:
            await anyio.to_thread.run_sync(sharing.ensure_folders)
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
