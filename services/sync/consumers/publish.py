"""Publish consumer: `song.cataloged` → the revision's files in the content folder →
`song.published`; `song.deleted` → the song's folder removed."""

from __future__ import annotations

from collections.abc import Sequence

import anyio

from services.sync.content_folder import ContentFolder
from services.sync.sharing import ContentSharing
from shared.events import Event, SongCataloged, SongDeleted, SongFailed, SongPublished, event_id
from shared.song_store import SongStore


def make_handler(songs: SongStore, content: ContentFolder,
                 sharing: ContentSharing | None = None):
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
        manifest = await anyio.to_thread.run_sync(songs.manifest, event.manifest_key)
        await anyio.to_thread.run_sync(content.publish, manifest, event.content_path,
                                       songs.download, event.previous_content_path)
        await tell_syncthing(event.content_path, event.previous_content_path,
                             current and current.path)
        return (SongPublished(
            event_id=event_id("song.published", event.song_id, event.revision,
                              event.content_path),
            upload_id=event.upload_id, song_id=event.song_id, revision=event.revision,
            content_path=event.content_path),)

    return publish


def failed(event: SongCataloged, reason: str) -> Sequence[Event]:
    if isinstance(event, SongCataloged):
        return (SongFailed(
            event_id=event_id("song.failed", event.song_id, event.revision, "publish"),
            upload_id=event.upload_id, song_id=event.song_id, revision=event.revision,
            stage="publish", reason=reason),)
    return ()
