"""A song on disk is hashed and stored piece by piece, with the same md5 and manifest as when
it is read whole; a .sng is unpacked outside the unpacked tree."""

from __future__ import annotations

import hashlib
import os
import threading
import tracemalloc
import uuid

import pytest

from services.ingest.song_files import folder_md5_of, read_song, song_paths
from shared.manifest import blob_key
from shared.messaging import PermanentError
from shared.song_store import SEND_AGAIN_BYTES, SongStore
from shared.songs.hashes import folder_md5
from shared.songs.sng import folder_to_sng
from shared.storage import InMemoryObjectStore
from tests.unit.test_scan_conformance import CORPUS

pytestmark = pytest.mark.unit

AMAZING = CORPUS / "charts" / "donnaken15-charts" / "Amazing"


def store() -> SongStore:
    objects = InMemoryObjectStore()
    objects.ensure_bucket("songs")
    return SongStore(objects, "songs")


def test_a_folder_on_disk_hashes_and_stores_as_its_bytes_do(tmp_path):
    paths = song_paths(AMAZING, tmp_path / "sng")
    files = read_song(AMAZING)
    assert folder_md5_of(paths) == folder_md5(files)
    song = uuid.uuid4()
    by_path = store().save_revision_files(song, 1, folder_md5(files), paths)
    by_bytes = store().save_revision(song, 1, folder_md5(files), files)
    assert by_path == by_bytes


def test_a_large_file_is_hashed_without_being_held_whole(tmp_path):
    folder = tmp_path / "song"
    folder.mkdir()
    (folder / "notes.chart").write_bytes((AMAZING / "notes.chart").read_bytes())
    with (folder / "song.ogg").open("wb") as stem:
        for _ in range(64):
            stem.write(os.urandom(1024 * 1024))
    paths = song_paths(folder, tmp_path / "sng")
    tracemalloc.start()
    try:
        folder_md5_of(paths)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024 * 1024


def test_a_sng_is_unpacked_once_outside_the_tree(tmp_path):
    tree = tmp_path / "tree"
    tree.mkdir()
    sng = tree / "song.sng"
    sng.write_bytes(folder_to_sng(read_song(AMAZING)))
    unpacked = tmp_path / "sng" / "one"
    paths = song_paths(sng, unpacked)
    assert {p.parent for p in paths.values()} == {unpacked}
    assert "notes.chart" in paths
    assert song_paths(sng, unpacked) == paths
    assert sorted(p.name for p in tree.iterdir()) == ["song.sng"]


def test_a_folder_without_a_chart_is_refused(tmp_path):
    (tmp_path / "song.ini").write_text("[song]\n")
    with pytest.raises(PermanentError):
        song_paths(tmp_path, tmp_path / "sng")


class InMemoryCountingStore(InMemoryObjectStore):
    """The in-memory store, counting the requests an S3 server would have been sent."""

    def __init__(self) -> None:
        super().__init__()
        self.requests: list[str] = []

    def touch(self, bucket: str, key: str) -> bool:
        self.requests += ["stat", "copy"]  # S3 copies an object onto itself after a stat
        return super().touch(bucket, key)

    def put_file(self, bucket: str, key: str, path) -> str:
        self.requests.append("put")
        return super().put_file(bucket, key, path)


def test_a_small_file_is_one_request_and_a_large_stored_one_is_not_sent_again(tmp_path):
    objects = InMemoryCountingStore()
    objects.ensure_bucket("songs")
    songs = SongStore(objects, "songs")
    small, large = tmp_path / "notes.chart", tmp_path / "song.ogg"
    small.write_bytes(b"[Song]\n" * 100)
    large.write_bytes(os.urandom(SEND_AGAIN_BYTES + 1))

    for _ in range(2):  # the second time, both blobs are there already
        songs.keep_file_at("notes.chart", small)
    assert objects.requests == ["put", "put"]
    assert objects.get_bytes("songs", blob_key(hashlib.sha256(small.read_bytes()).hexdigest()))

    objects.requests.clear()
    songs.keep_file_at("song.ogg", large)
    songs.keep_file_at("song.ogg", large)
    assert objects.requests == ["stat", "copy", "put", "stat", "copy"]


class MeetingStore(InMemoryObjectStore):
    """Its writes of blobs wait for one another: they pass only when two are under way at
    once (a broken barrier, after a long wait, fails the write)."""

    def __init__(self) -> None:
        super().__init__()
        self.meeting = threading.Barrier(2, timeout=30)

    def put_file(self, bucket: str, key: str, path) -> str:
        if key.startswith("blobs/"):
            self.meeting.wait()
        return super().put_file(bucket, key, path)


def test_a_song_s_files_are_sent_to_the_store_at_once_not_one_after_another(tmp_path):
    folder = tmp_path / "song"
    folder.mkdir()
    (folder / "notes.chart").write_bytes(b"[Song]\n{\n}\n")
    (folder / "song.ogg").write_bytes(b"OggS other bytes")
    objects = MeetingStore()
    objects.ensure_bucket("songs")
    paths = song_paths(folder, tmp_path / "sng")
    key, manifest = SongStore(objects, "songs").save_revision_files(uuid.uuid4(), 1, "md5",
                                                                   paths)
    assert [entry.name for entry in manifest.files] == ["notes.chart", "song.ogg"]
    assert objects.get_bytes("songs", key)
