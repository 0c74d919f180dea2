"""Edit consumer: `song.edit_requested` → the song.ini rewritten into a new revision (the other
files shared with the old one) → `song.edited` and `song.extracted`, so the new revision is
parsed, cataloged and published like any other."""

from __future__ import annotations

from collections.abc import Sequence

import anyio

from shared.events import Event, SongEdited, SongEditRequested, SongExtracted, event_id
from shared.manifest import Manifest
from shared.song_store import SongStore
from shared.songs.hashes import folder_md5
from shared.songs.ini_edit import apply_ini_changes


def make_handler(songs: SongStore):
    async def edit(event: SongEditRequested) -> Sequence[Event]:
        revision = event.revision + 1
        key, manifest = await anyio.to_thread.run_sync(_write_revision, songs, event, revision)
        common = {"song_id": event.song_id, "revision": revision, "upload_id": event.upload_id}
        return (
            SongEdited(event_id=event_id("song.edited", event.song_id, revision, event.event_id),
                       manifest_key=key, changes=event.changes, **common),
            SongExtracted(event_id=event_id("song.extracted", event.song_id, revision,
                                            event.event_id),
                          manifest_key=key, md5=manifest.md5, file_count=len(manifest.files),
                          total_bytes=manifest.total_bytes, **common),
        )

    return edit


def _write_revision(songs: SongStore, event: SongEditRequested,
                    revision: int) -> tuple[str, Manifest]:
    current = songs.manifest(event.manifest_key)
    files = dict(songs.files(current))
    ini = next((name for name in files if name.lower() == "song.ini"), "song.ini")
    files[ini] = apply_ini_changes(files.get(ini), event.changes)
    return songs.save_revision(event.song_id, revision, folder_md5(files), files)
