"""Unpack consumer: `upload.received` → `upload.unpacked` (in parts of up to a thousand songs)
and one `song.found` per song folder (or `upload.failed` when the upload is not an archive, is
damaged or holds no song). It waits for room in the staging folder first (staging_room.py)."""

from __future__ import annotations

from collections.abc import Sequence

import anyio

from services.ingest.staging import StagingArea, unpack
from services.ingest.staging_room import room_to_unpack
from shared.events import (
    Event,
    FoundSong,
    SongFound,
    UploadReceived,
    UploadUnpacked,
    failure_at,
    song_id_for,
)
from shared.messaging import PermanentError
from shared.observability import count_extracted
from shared.songs.archives import ExtractionLimits
from shared.storage import ObjectStore
from shared.telemetry import songs_in_own_traces

NO_SONGS = ("No song was found in this upload: no folder in it holds a notes.chart, notes.mid "
            "or song.ini file, and it is not a .sng file.")


def make_handler(store: ObjectStore, staging_root, limits: ExtractionLimits,
                 uploads_ahead: int = 0):
    """`uploads_ahead`: the most uploads the staging folder holds before unpacking waits
    (0: no limit)."""

    async def unpack_upload(event: UploadReceived) -> Sequence[Event]:
        staging = StagingArea(staging_root, event.upload_id)
        await room_to_unpack(staging, uploads_ahead)
        folders = await anyio.to_thread.run_sync(unpack, store, staging, event.origin, limits)
        await anyio.to_thread.run_sync(count_extracted, staging.tree)
        if not folders:
            staging.remove()
            raise PermanentError(NO_SONGS)
        songs = tuple(FoundSong(song_id=song_id_for(event.upload_id, f.path), folder=f.path)
                      for f in folders)
        found = [SongFound.in_upload(event, song) for song in songs]
        songs_in_own_traces(found)  # past CHHUB_TRACE_SONGS_PER_UPLOAD, linked to this one
        return (*UploadUnpacked.in_parts(event, songs), *found)

    return unpack_upload


failed = failure_at("unpack")
