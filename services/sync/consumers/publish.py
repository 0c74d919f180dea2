"""Publish consumer: `song.cataloged` → the revision's files (as the event lists them, or its
manifest says) in the content folder → `song.published`; `song.deleted` → the song's folder
removed."""

from __future__ import annotations

from collections.abc import Sequence

import anyio

from services.sync.content_folder import ContentFolder
from services.sync.rescans import RescanRequests
from shared.events import Event, SongCataloged, SongDeleted, SongPublished, failure_at
from shared.song_store import SongStore


def make_handler(songs: SongStore, content: ContentFolder,
                 sharing: RescanRequests | None = None):
    async def tell_syncthing(*paths: str | None) -> None:
        # After the content folder changed, even when this delivery found it already done:
        # a crash may have come between the change and the rescan. Syncthing trouble is
        # logged there, never raised: the publish stands and Syncthing's own scans catch up.
        if sharing is not None:
            await anyio.to_thread.run_sync(sharing.changed, paths)

    async def publish(event: SongCataloged | SongDeleted) -> Sequence[Event]:
        current = content.published(event.song_id)
        if isinstance(event, SongDeleted):
            await anyio.to_thread.run_sync(content.unpublish, event.song_id, event.content_path)
            await tell_syncthing(event.content_path, current and current.path)
            return ()
        if current is not None and current.revision > event.revision:
            return ()  # a later revision is already published
        if content.was_deleted(event.song_id):
            return ()  # a replay never brings a deleted song back
        manifest = event.manifest() or await anyio.to_thread.run_sync(songs.manifest,
                                                                       event.manifest_key)
        await anyio.to_thread.run_sync(content.publish, manifest, event.content_path,
                                       songs.download, event.previous_content_path)
        await tell_syncthing(event.content_path, event.previous_content_path,
                             current and current.path)
        return (SongPublished.after(event, event.content_path,
                                    content_path=event.content_path),)

    return publish


failed = failure_at("publish")
