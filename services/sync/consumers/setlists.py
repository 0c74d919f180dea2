"""Setlists consumer: `setlist.changed` → the Setlists folder rewritten (every rig receives it);
`song.published` of a song some setlist holds (its chart, so its md5, may have changed) and
`song.deleted` → the same. Rewriting is idempotent: a redelivered event changes nothing."""

from __future__ import annotations

from collections.abc import Sequence

import anyio

from services.sync.setlist_files import SetlistFiles
from shared.events import Event, SetlistChanged, SongDeleted, SongPublished


def make_handler(files: SetlistFiles):
    async def write(event: SetlistChanged | SongPublished | SongDeleted) -> Sequence[Event]:
        if isinstance(event, SongPublished) and not await anyio.to_thread.run_sync(
                files.concerns, event.song_id):
            return ()
        leaving_out = (event.song_id,) if isinstance(event, SongDeleted) else ()
        await anyio.to_thread.run_sync(files.rewrite, leaving_out)
        return ()

    return write
