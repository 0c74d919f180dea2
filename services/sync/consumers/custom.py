"""Custom content publish consumer: `custom.validated` → the file in the content folder's Custom
folder → `custom.published`; `custom.deleted` → the file removed. Syncthing rescans either."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import anyio

from services.sync.custom_folder import CustomFolder
from services.sync.sharing import ContentSharing
from shared.events import (
    CustomContentDeleted,
    CustomContentPublished,
    CustomContentValidated,
    Event,
)
from shared.manifest import blob_key
from shared.storage import ObjectStore


def make_handler(store: ObjectStore, songs_bucket: str, folder: CustomFolder,
                 sharing: ContentSharing | None = None):
    async def tell_syncthing(*paths: str | None) -> None:
        if sharing is not None:  # trouble is logged there, never raised
            await anyio.to_thread.run_sync(sharing.changed, paths)

    async def publish(event: CustomContentValidated | CustomContentDeleted) -> Sequence[Event]:
        if isinstance(event, CustomContentDeleted):
            await tell_syncthing(await anyio.to_thread.run_sync(folder.unpublish,
                                                                event.content_id))
            return ()
        if folder.was_deleted(event.content_id):
            return ()  # a replay never brings a deleted item back

        def download(target: Path) -> None:
            store.download(songs_bucket, blob_key(event.sha256), target)

        before = folder.published(event.content_id)  # an older layout's place, if it moves
        path = await anyio.to_thread.run_sync(folder.publish, event.content_id, event.kind,
                                              event.filename, download)
        await tell_syncthing(path, before)
        return (CustomContentPublished.after(event, path, content_path=path),)

    return publish
