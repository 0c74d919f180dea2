"""The S3 adapter on a real S3 server: a download is one request, lands whole, and leaves
nothing behind when the object is missing; a streamed upload is held one part at a time."""

from __future__ import annotations

import io
import tracemalloc
import uuid

import pytest

from shared.storage import ObjectNotFound, S3ObjectStore
from shared.storage_parts import FIRST_READ_SIZE, SMALL_PART_SIZE
from tests.support.stack import ACCESS_KEY, SECRET_KEY

pytestmark = pytest.mark.integration
BUCKET = "chhub-object-store-test"


@pytest.fixture(scope="module")
def store(s3_server):
    objects = S3ObjectStore(endpoint=s3_server, access_key=ACCESS_KEY, secret_key=SECRET_KEY)
    objects.ensure_bucket(BUCKET)
    return objects


def requests_during(store: S3ObjectStore, action) -> list[str]:
    """The request lines the client sent while `action` ran (the minio client's own trace)."""
    trace = io.StringIO()
    store._client.trace_on(trace)
    try:
        action()
    finally:
        store._client.trace_off()
    return [line for line in trace.getvalue().splitlines()
            if line.startswith(("GET ", "HEAD ", "PUT ", "POST ", "DELETE "))]


def test_a_download_is_one_request_into_folders_it_makes(store, tmp_path):
    key = f"objects/{uuid.uuid4()}/song.ogg"
    data = bytes(range(256)) * 9000  # more than one piece of the download loop
    store.put_bytes(BUCKET, key, data)
    target = tmp_path / "nested" / "folder" / "song.ogg"

    sent = requests_during(store, lambda: store.download(BUCKET, key, target))

    assert target.read_bytes() == data
    assert len(sent) == 1 and sent[0].startswith("GET "), sent
    assert sorted(p.name for p in target.parent.iterdir()) == ["song.ogg"]


def test_a_missing_object_raises_and_leaves_no_file(store, tmp_path):
    target = tmp_path / "missing.ogg"
    with pytest.raises(ObjectNotFound):
        store.download(BUCKET, f"objects/{uuid.uuid4()}", target)
    assert list(tmp_path.iterdir()) == []


class _Body(io.RawIOBase):
    """A body of `size` bytes arriving in pieces of at most 1 MiB, written into the reader's
    buffer as the gateway's feed writes an upload."""

    def __init__(self, size: int) -> None:
        self._left = size
        self._piece = bytes(range(256)) * 4096

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(self._left, len(self._piece), len(buffer))
        buffer[:n] = self._piece[:n]
        self._left -= n
        return n


def test_a_stream_of_unknown_length_is_held_one_part_at_a_time(store):
    """Whatever its size, a streamed object costs the process about one part (read into one
    buffer and sent from it), not copies of it nor a part per parallel request."""
    key = f"objects/{uuid.uuid4()}/pack.zip"
    size = 8 * SMALL_PART_SIZE
    tracemalloc.start()
    try:
        store.put_stream(BUCKET, key, _Body(size))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert store.stat(BUCKET, key).size == size
    assert peak < 1.5 * SMALL_PART_SIZE


def test_a_small_stream_of_unknown_length_costs_its_own_size_not_a_part(store):
    """Most uploads are a song or two: each must not take (and clear) a whole part's buffer."""
    key = f"objects/{uuid.uuid4()}/song.zip"
    size = 200_000
    body = _Body(size)
    tracemalloc.start()
    try:
        store.put_stream(BUCKET, key, body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert store.stat(BUCKET, key).size == size
    assert peak < SMALL_PART_SIZE / 4


@pytest.mark.parametrize("size", [0, 1000, FIRST_READ_SIZE, FIRST_READ_SIZE + 1, SMALL_PART_SIZE,
                                  2 * SMALL_PART_SIZE + 12345])
def test_a_stream_of_unknown_length_is_stored_byte_for_byte(store, size):
    key = f"objects/{uuid.uuid4()}/pack.zip"
    data = uuid.uuid4().bytes * (size // 16) + b"x" * (size % 16)
    store.put_stream(BUCKET, key, _Pieces(data))
    assert store.get_bytes(BUCKET, key) == data


class _Pieces(io.RawIOBase):
    """`data` handed over in pieces of uneven sizes."""

    def __init__(self, data: bytes) -> None:
        self._data, self._at, self._turn = data, 0, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._turn += 1
        n = min(len(buffer), 700_000 + 99_991 * (self._turn % 7))
        piece = self._data[self._at:self._at + n]
        buffer[:len(piece)] = piece
        self._at += len(piece)
        return len(piece)
