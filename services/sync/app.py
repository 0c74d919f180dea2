"""Composition root of the sync service: the publish consumer, sole writer of the content
folder."""

from __future__ import annotations

from faststream import FastStream
from pydantic_settings import SettingsConfigDict

from services.sync.consumers import publish
from services.sync.content_folder import ContentFolder
from shared.service import Subscriptions, make_app, make_broker, make_store
from shared.settings import BrokerSettings, ContentSettings, StorageSettings
from shared.song_store import SongStore
from shared.storage import ObjectStore
from shared.topology import PUBLISH


class SyncSettings(BrokerSettings, StorageSettings, ContentSettings):
    model_config = SettingsConfigDict(env_prefix="CHHUB_", env_file=".env", extra="ignore")


def create_app(settings: SyncSettings | None = None,
               store: ObjectStore | None = None) -> FastStream:
    settings = settings or SyncSettings()
    broker = make_broker(settings)
    subscriptions = Subscriptions(broker, settings)
    songs = SongStore(store or make_store(settings), settings.songs_bucket)
    content = ContentFolder(settings.content_dir)
    subscriptions.add(PUBLISH, publish.make_handler(songs, content), on_failure=publish.failed)
    return make_app(broker, settings)
