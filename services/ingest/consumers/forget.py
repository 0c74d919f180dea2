"""Forget consumer: `song.deleted` → the song's manifests removed from the songs bucket.

File blobs stay: other songs may share them (they are content-addressed); the blob collector
frees those nothing refers to any more.
"""

from __future__ import annotations

from collections.abc import Sequence

import anyio

from shared.events import Event, SongDeleted
from shared.storage import ObjectStore


def make_handler(store: ObjectStore, bucket: str):
    async def forget(event: SongDeleted) -> Sequence[Event]:
        await anyio.to_thread.run_sync(_remove_manifests, store, bucket, event)
        return ()

    return forget


def _remove_manifests(store: ObjectStore, bucket: str, event: SongDeleted) -> None:
    for stored in list(store.list(bucket, f"manifests/{event.song_id}/")):
        store.delete(bucket, stored.key)
