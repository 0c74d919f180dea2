"""Extract consumer: `song.found` → the song's files stored by content and its manifest written
→ `song.extracted`; or `song.duplicate` when the library already holds the same content, or
`song.failed` when the folder holds no chart."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import anyio
from sqlalchemy.orm import Session, sessionmaker

from services.catalog import queries
from services.ingest.archives import ExtractionLimits
from services.ingest.song_folders import MISSING_CHART_REASON, is_junk
from services.ingest.staging import StagingArea, unpack
from shared.events import (
    Event,
    SongAlreadyInLibrary,
    SongExtracted,
    SongFailed,
    SongFound,
    event_id,
)
from shared.messaging import PermanentError
from shared.song_store import SongStore
from shared.songs.errors import SongFormatError
from shared.songs.hashes import folder_md5
from shared.songs.sng import sng_to_folder
from shared.storage import ObjectStore

CHART_FILES = frozenset({"notes.chart", "notes.mid"})


def make_handler(store: ObjectStore, songs: SongStore, sessions: sessionmaker[Session],
                 staging_root: Path, limits: ExtractionLimits):
    async def extract(event: SongFound) -> Sequence[Event]:
        staging = StagingArea(staging_root, event.upload_id)
        if not staging.is_unpacked():  # cleaned up, or unpacked on another host
            await anyio.to_thread.run_sync(unpack, store, staging, event.origin, limits)
        files = await anyio.to_thread.run_sync(read_song, staging.tree / event.folder)
        md5 = folder_md5(files)
        existing = await anyio.to_thread.run_sync(_song_with_md5, sessions, md5)
        if existing is not None and existing != event.song_id:
            return (SongAlreadyInLibrary(
                event_id=event_id("song.duplicate", event.song_id, event.revision),
                upload_id=event.upload_id, song_id=event.song_id, revision=event.revision,
                existing_song_id=existing, md5=md5),)
        key, manifest = await anyio.to_thread.run_sync(
            songs.save_revision, event.song_id, event.revision, md5, files)
        return (SongExtracted(
            event_id=event_id("song.extracted", event.song_id, event.revision),
            upload_id=event.upload_id, song_id=event.song_id, revision=event.revision,
            manifest_key=key, md5=md5, file_count=len(manifest.files),
            total_bytes=manifest.total_bytes),)

    return extract


def read_song(path: Path) -> dict[str, bytes]:
    """The song's own files by name: a folder's top-level files, or a .sng's contents."""
    if path.is_file():
        try:
            files = sng_to_folder(path.read_bytes())
        except SongFormatError as error:
            raise PermanentError(f"This .sng file cannot be read: {error}") from error
    else:
        files = {child.name: child.read_bytes() for child in sorted(path.iterdir())
                 if child.is_file() and not child.is_symlink() and not is_junk(child.name)}
    if not CHART_FILES & {name.lower() for name in files}:
        raise PermanentError(MISSING_CHART_REASON)
    return files


def _song_with_md5(sessions: sessionmaker[Session], md5: str):
    with sessions() as session:
        return queries.song_with_md5(session, md5)


def failed(event: SongFound, reason: str) -> Sequence[Event]:
    return (SongFailed(event_id=event_id("song.failed", event.song_id, event.revision, "extract"),
                       upload_id=event.upload_id, song_id=event.song_id, revision=event.revision,
                       stage="extract", reason=reason),)
