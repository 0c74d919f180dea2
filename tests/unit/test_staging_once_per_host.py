"""A host's staging folder reads each upload's original once, however many deliveries of the
upload's songs arrive at once, in threads or in processes sharing the folder; and the sweep
frees the areas of uploads that ended elsewhere. A later delivery finds the songs the first
found, whichever have left the tree since."""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from pathlib import Path

from services.ingest.staging import StagingArea, staged_uploads, unpack
from shared.events import UploadOrigin
from shared.songs.archives import ExtractionLimits
from shared.storage import InMemoryObjectStore
from tests.support.songs import zip_bytes

SONGS = {f"Song {n}/notes.chart": b"[Song]\n{\n}\n" for n in range(6)}
ORIGIN = UploadOrigin(bucket="uploads", key="pack.zip", filename="pack.zip")


class SlowCountingStore(InMemoryObjectStore):
    """Counts downloads; each one takes a while, so that concurrent deliveries overlap."""

    def __init__(self) -> None:
        super().__init__()
        self.downloads = 0
        self._entered = threading.Event()

    def download(self, bucket: str, key: str, path: Path) -> None:
        self.downloads += 1
        self._entered.wait(0.3)
        super().download(bucket, key, path)


def store_with_pack() -> SlowCountingStore:
    store = SlowCountingStore()
    store.put_bytes(ORIGIN.bucket, ORIGIN.key, zip_bytes(SONGS))
    return store


def test_concurrent_deliveries_in_one_process_read_the_original_once(tmp_path):
    store, upload_id = store_with_pack(), uuid.uuid4()
    found: list[int] = []

    def deliver() -> None:
        found.append(len(unpack(store, StagingArea(tmp_path, upload_id), ORIGIN,
                                ExtractionLimits())))

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == [len(SONGS)] * 4
    assert store.downloads == 1


def _unpack_in_a_process(staging_root: str, upload_id: str, downloads) -> None:
    store = store_with_pack()
    unpack(store, StagingArea(Path(staging_root), uuid.UUID(upload_id)), ORIGIN,
           ExtractionLimits())
    with downloads.get_lock():
        downloads.value += store.downloads


def test_processes_sharing_a_staging_folder_read_the_original_once(tmp_path):
    context = multiprocessing.get_context("fork")
    downloads = context.Value("i", 0)
    upload_id = str(uuid.uuid4())
    processes = [context.Process(target=_unpack_in_a_process,
                                 args=(str(tmp_path), upload_id, downloads))
                 for _ in range(3)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0, 0, 0]
    assert downloads.value == 1


def test_a_new_area_is_read_again_once_the_old_one_is_gone(tmp_path):
    store, upload_id = store_with_pack(), uuid.uuid4()
    unpack(store, StagingArea(tmp_path, upload_id), ORIGIN, ExtractionLimits())
    StagingArea(tmp_path, upload_id).remove()
    unpack(store, StagingArea(tmp_path, upload_id), ORIGIN, ExtractionLimits())
    assert store.downloads == 2


def test_only_upload_areas_are_candidates_for_the_sweep(tmp_path):
    upload_id = uuid.uuid4()
    (tmp_path / str(upload_id)).mkdir()
    (tmp_path / "not-an-upload").mkdir()
    assert staged_uploads(tmp_path) == {upload_id}
    assert staged_uploads(tmp_path / "missing") == set()


def test_a_delivery_after_the_songs_left_the_tree_finds_the_songs_first_found(tmp_path):
    """A redelivered upload (its ack lost to a broker or database fault) after its songs were
    stored and freed: the same songs, never "no song in this upload"."""
    store, staging = store_with_pack(), StagingArea(tmp_path, uuid.uuid4())
    first = unpack(store, staging, ORIGIN, ExtractionLimits())
    for folder in first:
        staging.free_song(folder.path)
    assert staging.files() == []
    assert unpack(store, staging, ORIGIN, ExtractionLimits()) == first
    assert len(first) == len(SONGS) and store.downloads == 1
