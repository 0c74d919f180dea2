"""Extraction tells each audio stem's length from the file's ends on the staging disk and keeps
it in the manifest, so parsing reads none of a stem from the object store, and scans the same
song as when it reads the stems' ends itself. Its event lists the manifest's files, so parsing
reads no manifest either."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path

import anyio

from services.ingest.consumers import extract, parse
from services.ingest.song_catalog import InMemorySongCatalog
from services.ingest.song_files import stem_lengths
from shared.events import SongExtracted, SongFound, SongParsed, UploadOrigin
from shared.song_store import SongStore
from shared.songs.archives import ExtractionLimits
from shared.storage import InMemoryObjectStore
from tests.support.corpus import CORPUS

UPLOADS, SONGS = "uploads", "songs"
FOLDER = CORPUS / "charts" / "donnaken15-charts" / "Surfing Dominos"  # notes.chart, song.ogg


class RangeCountingStore(InMemoryObjectStore):
    """The in-memory store, noting every ranged read (how parsing reads a stem's ends) and
    every whole object read."""

    def __init__(self) -> None:
        super().__init__()
        self.ranges_read: list[str] = []
        self.objects_read: list[str] = []

    def get_range(self, bucket: str, key: str, offset: int, length: int) -> bytes:
        self.ranges_read.append(key)
        return super().get_range(bucket, key, offset, length)

    def get_bytes(self, bucket: str, key: str) -> bytes:
        self.objects_read.append(key)
        return super().get_bytes(bucket, key)


def extracted_song(staging: Path) -> tuple[RangeCountingStore, SongStore, SongExtracted]:
    """The corpus folder uploaded as a .zip and extracted: the store, the songs and the event."""
    store = RangeCountingStore()
    for bucket in (UPLOADS, SONGS):
        store.ensure_bucket(bucket)
    songs = SongStore(store, SONGS)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in FOLDER.iterdir():
            archive.write(path, f"{FOLDER.name}/{path.name}")
    upload_id = uuid.uuid4()
    store.put_bytes(UPLOADS, f"gateway/{upload_id}/song.zip", buffer.getvalue())
    found = SongFound.about(uuid.uuid4(), 1, upload_id=upload_id, folder=FOLDER.name,
                            origin=UploadOrigin(bucket=UPLOADS, filename="song.zip",
                                                key=f"gateway/{upload_id}/song.zip"))
    handle = extract.make_handler(store, songs, InMemorySongCatalog(), staging,
                                  ExtractionLimits(max_total_bytes=10**8, max_entries=100,
                                                   max_ratio=1000.0))
    (outcome,) = anyio.run(handle, found)
    assert isinstance(outcome, SongExtracted)
    return store, songs, outcome


def parsed(songs: SongStore, extracted: SongExtracted) -> SongParsed:
    (outcome,) = anyio.run(parse.make_handler(songs), extracted)
    return outcome


def test_parsing_reads_no_stem_when_extraction_told_its_length(tmp_path):
    store, songs, extracted = extracted_song(tmp_path)
    manifest = songs.manifest(extracted.manifest_key)
    told = {entry.name: entry.audio_ms for entry in manifest.files}
    assert told["song.ogg"] is not None and told["notes.chart"] is None

    with_lengths = parsed(songs, extracted)
    assert store.ranges_read == []

    # The same song with a manifest that tells no length: the stem's ends are read instead.
    untold = manifest.model_copy(update={"files": tuple(
        entry.model_copy(update={"audio_ms": None}) for entry in manifest.files)})
    key = f"{extracted.manifest_key}.untold"
    store.put_bytes(SONGS, key, untold.model_dump_json().encode())
    read_ends = parsed(songs, extracted.model_copy(update={"manifest_key": key,
                                                           "files": None}))
    assert store.ranges_read
    assert with_lengths.scan == read_ends.scan
    assert with_lengths.song_length_ms == read_ends.song_length_ms


def test_parsing_reads_the_manifest_only_when_the_event_lists_no_files(tmp_path):
    store, songs, extracted = extracted_song(tmp_path)
    assert extracted.files == songs.manifest(extracted.manifest_key).files
    store.objects_read.clear()

    listed = parsed(songs, extracted)
    assert extracted.manifest_key not in store.objects_read
    earlier = parsed(songs, extracted.model_copy(update={"files": None}))  # an earlier event
    assert store.objects_read.count(extracted.manifest_key) == 1
    assert listed.scan == earlier.scan
    assert listed.files == earlier.files == extracted.files  # and catalog and publish get them


def test_a_stem_whose_ends_cannot_tell_is_left_to_parsing(tmp_path):
    (tmp_path / "guitar.ogg").write_bytes(b"not audio at all")
    (tmp_path / "song.ogg").write_bytes((FOLDER / "song.ogg").read_bytes())
    (tmp_path / "notes.chart").write_bytes((FOLDER / "notes.chart").read_bytes())
    lengths = stem_lengths({path.name: path for path in tmp_path.iterdir()})
    assert set(lengths) == {"song.ogg"}
