"""Extract consumer: `song.found` → the song's files stored by content and its manifest written
→ `song.extracted`; or `song.duplicate` when the library already holds the same content, or
`song.failed` when the folder holds no chart. A `.sng` is also the same content as a library
song with its chart hash and files, whatever its song.ini says. Either way the song's files
leave the staging area."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import anyio

from services.ingest.same_song import content_on_disk, first_same_song
from services.ingest.song_catalog import SongCatalog
from services.ingest.song_files import song_digests, song_paths, stem_lengths
from services.ingest.staging import StagingArea, unpack, unpacked_alone
from shared.events import Event, SongAlreadyInLibrary, SongExtracted, SongFound, failure_at
from shared.song_store import FileReader, SongStore, read_pieces
from shared.songs.archives import ExtractionLimits
from shared.storage import ObjectStore


def make_handler(store: ObjectStore, songs: SongStore, catalog: SongCatalog,
                 staging_root: Path, limits: ExtractionLimits,
                 read_file: FileReader = read_pieces):
    """`read_file` reads the staged files to hash them (`songs` reads them to send them)."""

    async def extract(event: SongFound) -> Sequence[Event]:
        staging = StagingArea(staging_root, event.upload_id)
        stored = await anyio.to_thread.run_sync(_stored_already, songs, staging, event)
        if stored is not None:
            return (stored,)
        if not staging.is_unpacked():  # cleaned up, or unpacked on another host
            await anyio.to_thread.run_sync(unpack, store, staging, event.origin, limits)
        outcome = await anyio.to_thread.run_sync(_store_song, store, songs, catalog, staging,
                                                 event, limits, read_file)
        return (outcome,)

    return extract


def _store_song(store: ObjectStore, songs: SongStore, catalog: SongCatalog,
                staging: StagingArea, event: SongFound, limits: ExtractionLimits,
                read_file: FileReader) -> Event:
    """The song stored from its staged files (or found in the library already); then the
    staged copy is needed no more: a redelivered message whose song was not stored unpacks
    the original again for this song alone."""
    with _staged_song(store, staging, event, limits) as (paths, from_sng):
        md5, digests = song_digests(paths, read_file)  # one read of each file for every hash
        existing = catalog.song_with_md5(md5)
        if existing is None and from_sng:
            existing = _library_copy_of_sng(catalog, songs, paths, event.song_id)
        if existing is not None and existing != event.song_id:
            outcome: Event = SongAlreadyInLibrary.after(event, existing_song_id=existing,
                                                        md5=md5)
        else:
            key, manifest = songs.save_revision_files(event.song_id, event.revision, md5, paths,
                                                      digests, stem_lengths(paths))
            outcome = SongExtracted.stored(event, key, manifest)
    staging.free_song(event.folder)
    return outcome


def _stored_already(songs: SongStore, staging: StagingArea, event: SongFound) -> Event | None:
    """A redelivered message whose song was stored before its consumer died (before it could
    publish) answers from the stored manifest, without the original: nothing is read again.
    Asked only when this host's staging no longer holds the song's files."""
    if staging.holds_song(event.folder):
        return None
    stored = songs.stored_revision(event.song_id, event.revision)
    if stored is None:
        return None
    key, manifest = stored
    return SongExtracted.stored(event, key, manifest)


@contextmanager
def _staged_song(store: ObjectStore, staging: StagingArea, event: SongFound,
                 limits: ExtractionLimits) -> Iterator[tuple[dict[str, Path], bool]]:
    """The song's files on disk, and whether they came from a .sng: in the staging tree, or,
    once freed there, unpacked again from the original for this call alone. A .sng's contents
    are unpacked beside the tree."""
    sng_folder = staging.area / "sng" / str(event.song_id)
    try:
        if staging.holds_song(event.folder):
            source = staging.tree / event.folder
            yield song_paths(source, sng_folder), source.is_file()
        else:
            with unpacked_alone(store, staging, event.origin, limits) as tree:
                source = tree / event.folder
                yield song_paths(source, sng_folder), source.is_file()
    finally:
        shutil.rmtree(sng_folder, ignore_errors=True)


def _library_copy_of_sng(catalog: SongCatalog, songs: SongStore, paths: dict[str, Path],
                         song_id: uuid.UUID) -> uuid.UUID | None:
    content = content_on_disk(paths)
    if content.chart_hash is None:
        return None
    candidates = catalog.songs_with_chart_hash(content.chart_hash)
    return first_same_song(content, candidates, songs.manifest, song_id)


failed = failure_at("extract")
