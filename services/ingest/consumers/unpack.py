"""Unpack consumer: `upload.received` → `upload.unpacked` and one `song.found` per song folder
(or `upload.failed` when the upload is not an archive, is damaged or holds no song)."""

from __future__ import annotations

from collections.abc import Sequence

import anyio

from services.ingest.archives import ExtractionLimits
from services.ingest.staging import StagingArea, unpack
from shared.events import (
    Event,
    FoundSong,
    SongFound,
    UploadFailed,
    UploadReceived,
    UploadUnpacked,
    event_id,
    song_id_for,
)
from shared.messaging import PermanentError
from shared.observability import count_extracted
from shared.storage import ObjectStore
from shared.telemetry import songs_in_own_traces

NO_SONGS = ("No song was found in this upload: no folder in it holds a notes.chart, notes.mid "
            "or song.ini file, and it is not a .sng file.")


def make_handler(store: ObjectStore, staging_root, limits: ExtractionLimits):
    async def unpack_upload(event: UploadReceived) -> Sequence[Event]:
        staging = StagingArea(staging_root, event.upload_id)
        folders = await anyio.to_thread.run_sync(unpack, store, staging, event.origin, limits)
        await anyio.to_thread.run_sync(count_extracted, staging.tree)
        if not folders:
            staging.remove()
            raise PermanentError(NO_SONGS)
        songs = tuple(FoundSong(song_id=song_id_for(event.upload_id, f.path), folder=f.path)
                      for f in folders)
        found = [SongFound(event_id=event_id("song.found", song.song_id),
                           upload_id=event.upload_id, song_id=song.song_id, folder=song.folder,
                           origin=event.origin)
                 for song in songs]
        songs_in_own_traces(found)  # past CHHUB_TRACE_SONGS_PER_UPLOAD, linked to this one
        unpacked = UploadUnpacked(event_id=event_id("upload.unpacked", event.upload_id),
                                  upload_id=event.upload_id, songs=songs)
        return (unpacked, *found)

    return unpack_upload


def failed(event: UploadReceived, reason: str) -> Sequence[Event]:
    return (UploadFailed(event_id=event_id("upload.failed", event.upload_id),
                         upload_id=event.upload_id, stage="unpack", reason=reason),)
