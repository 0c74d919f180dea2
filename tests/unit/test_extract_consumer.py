"""The extract consumer with in-memory doubles of its ports (the object store, the catalog's
song lookup) and a staging area in a temporary folder: a new song is stored and extracted, the
library's copy of a folder or a `.sng` is called a duplicate, and a redelivery after the staged
copy was freed answers from the stored song, or reads the original again when it was not
stored."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest

from services.ingest.consumers import extract
from services.ingest.song_catalog import CatalogedSong, InMemorySongCatalog
from services.ingest.staging import StagingArea
from shared.events import SongAlreadyInLibrary, SongExtracted, SongFound, UploadOrigin
from shared.song_store import FileReader, SongStore, read_pieces
from shared.songs.archives import ExtractionLimits
from shared.songs.identity import folder_chart_hash
from shared.songs.sng import folder_to_sng
from shared.storage import InMemoryObjectStore

pytestmark = pytest.mark.unit

UPLOADS, SONGS = "uploads", "songs"
LIMITS = ExtractionLimits(max_total_bytes=10**7, max_entries=100, max_ratio=1000.0)
CHART = b'[Song]\n{\n  Resolution = 192\n}\n[ExpertSingle]\n{\n  0 = N 0 0\n  192 = N 1 0\n}\n'
# Written by hand, so that the song.ini a `.sng` unpacks to has other bytes.
SONG_INI = b"; exported by hand\n[song]\nname   = Same Song\nartist = Somebody\n"
FILES = {"notes.chart": CHART, "song.ini": SONG_INI, "song.ogg": b"OggS audio bytes"}


class CountingObjectStore(InMemoryObjectStore):
    """The in-memory store, counting the reads of uploaded originals."""

    originals_read = 0

    def download(self, bucket: str, key: str, path: Path) -> None:
        self.originals_read += bucket == UPLOADS
        super().download(bucket, key, path)


class Hub:
    """The consumer wired to in-memory ports, with uploads put in its store."""

    def __init__(self, root: Path, read_file: FileReader = read_pieces) -> None:
        self.store = CountingObjectStore()
        for bucket in (UPLOADS, SONGS):
            self.store.ensure_bucket(bucket)
        self.songs = SongStore(self.store, SONGS, read_file=read_file)
        self.catalog = InMemorySongCatalog()
        self.root = root
        self.handle = extract.make_handler(self.store, self.songs, self.catalog, root, LIMITS,
                                           read_file=read_file)

    def upload(self, filename: str, data: bytes, folder: str) -> SongFound:
        upload_id, song_id = uuid.uuid4(), uuid.uuid4()
        key = f"gateway/{upload_id}/{filename}"
        self.store.put_bytes(UPLOADS, key, data)
        return SongFound.about(song_id, 1, upload_id=upload_id, folder=folder,
                               origin=UploadOrigin(bucket=UPLOADS, key=key, filename=filename))

    def extract(self, found: SongFound):
        (outcome,) = anyio.run(self.handle, found)
        return outcome

    def catalog_song(self, found: SongFound, extracted: SongExtracted) -> None:
        self.catalog.add(CatalogedSong(found.song_id, extracted.md5, folder_chart_hash(FILES),
                                       extracted.manifest_key))


class CountingReader:
    """The real file reader, noting the name of each file it reads."""

    def __init__(self) -> None:
        self.reads: list[str] = []

    def __call__(self, path: Path) -> Iterator[bytes]:
        self.reads.append(path.name)
        return read_pieces(path)


def zipped(files: dict[str, bytes], folder: str = "Somebody - Same Song") -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(f"{folder}/{name}", data)
    return buffer.getvalue()


@pytest.fixture
def hub(tmp_path) -> Hub:
    return Hub(tmp_path)


def test_a_new_song_is_stored_by_content_and_leaves_the_staging_area(hub):
    found = hub.upload("song.zip", zipped(FILES), "Somebody - Same Song")
    extracted = hub.extract(found)
    assert isinstance(extracted, SongExtracted)
    assert (extracted.song_id, extracted.file_count) == (found.song_id, 3)
    manifest = hub.songs.manifest(extracted.manifest_key)
    assert {entry.name: hub.songs.read(entry) for entry in manifest.files} == FILES
    staging = StagingArea(hub.root, found.upload_id)
    assert not staging.holds_song(found.folder)


def test_a_new_song_s_staged_files_are_read_once_for_its_md5_and_its_blobs(tmp_path):
    """Hashed in one pass: the folder md5 and each file's sha256 come from a single read of
    each staged file (the store then sends it)."""
    reader = CountingReader()
    hub = Hub(tmp_path, reader)
    extracted = hub.extract(hub.upload("song.zip", zipped(FILES), "Somebody - Same Song"))
    assert isinstance(extracted, SongExtracted)
    assert sorted(reader.reads) == sorted(FILES)
    manifest = hub.songs.manifest(extracted.manifest_key)
    assert {entry.name: hub.songs.read(entry) for entry in manifest.files} == FILES
    assert {entry.name: entry.sha256 for entry in manifest.files} == {
        name: hashlib.sha256(data).hexdigest() for name, data in FILES.items()}


def test_the_same_folder_again_is_the_library_song_already_there(hub):
    first_upload = hub.upload("song.zip", zipped(FILES), "Somebody - Same Song")
    first = hub.extract(first_upload)
    hub.catalog_song(first_upload, first)

    again = hub.upload("again.zip", zipped(FILES, "Renamed"), "Renamed")
    outcome = hub.extract(again)
    assert isinstance(outcome, SongAlreadyInLibrary)
    assert (outcome.existing_song_id, outcome.md5) == (first_upload.song_id, first.md5)


def test_a_redelivery_of_a_song_already_cataloged_extracts_it_again_not_as_its_own_copy(hub):
    found = hub.upload("song.zip", zipped(FILES), "Somebody - Same Song")
    first = hub.extract(found)
    hub.catalog_song(found, first)

    again = hub.extract(found)  # its staged copy is gone; its stored manifest answers
    assert isinstance(again, SongExtracted)
    assert (again.event_id, again.manifest_key, again.md5, again.file_count, again.total_bytes) \
        == (first.event_id, first.manifest_key, first.md5, first.file_count, first.total_bytes)
    assert hub.store.originals_read == 1


def test_a_redelivery_of_a_song_not_stored_reads_the_original_again_for_that_song(hub):
    found = hub.upload("song.zip", zipped(FILES), "Somebody - Same Song")
    hub.extract(found)
    for stored in list(hub.store.list(SONGS, "manifests/")):  # its consumer died before that
        hub.store.delete(SONGS, stored.key)

    again = hub.extract(found)
    assert isinstance(again, SongExtracted)
    assert hub.store.originals_read == 2


def test_a_sng_of_a_library_song_is_that_song_whatever_its_song_ini(hub):
    folder_upload = hub.upload("song.zip", zipped(FILES), "Somebody - Same Song")
    cataloged = hub.extract(folder_upload)
    hub.catalog_song(folder_upload, cataloged)

    sng = hub.upload("same.sng", folder_to_sng(FILES), "same.sng")
    outcome = hub.extract(sng)
    assert isinstance(outcome, SongAlreadyInLibrary)
    assert outcome.existing_song_id == folder_upload.song_id
    assert outcome.md5 != cataloged.md5  # found by chart hash and files, not by folder md5


def test_a_sng_with_the_same_chart_but_other_audio_is_a_new_song(hub):
    folder_upload = hub.upload("song.zip", zipped(FILES), "Somebody - Same Song")
    hub.catalog_song(folder_upload, hub.extract(folder_upload))

    other = hub.upload("other.sng", folder_to_sng({**FILES, "song.ogg": b"OggS other"}),
                       "other.sng")
    outcome = hub.extract(other)
    assert isinstance(outcome, SongExtracted)
    assert outcome.song_id == other.song_id
