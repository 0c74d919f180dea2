"""The gateway streams upload bodies into the object store with bounded memory."""

from __future__ import annotations

import hashlib
import threading
import tracemalloc

import anyio
import pytest

from services.gateway.intake import (
    LargeFileTurns,
    UploadRejected,
    UploadUnavailable,
    safe_relative_path,
    store_body,
)
from services.gateway.part_feed import PartFeed
from shared.storage import InMemoryObjectStore
from shared.storage_parts import FIRST_READ_SIZE

BOUNDARY = "xYzBoUnDaRy"


def multipart(*files: tuple[str, bytes]) -> bytes:
    body = b""
    for name, data in files:
        body += (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
                 f"filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                 ).encode() + data + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


async def chunks(data: bytes, size: int = 7000):
    for start in range(0, len(data), size):
        yield data[start:start + size]


async def store(body: bytes, *, max_bytes: int = 10**9, content_type=None, filename=None):
    objects = InMemoryObjectStore()
    stored = await store_body(
        chunks(body), content_type=content_type or f"multipart/form-data; boundary={BOUNDARY}",
        filename=filename, store=objects, bucket="uploads", prefix="gateway/1",
        max_bytes=max_bytes, turns=LargeFileTurns(2))
    return stored, objects


async def test_each_file_of_a_multipart_body_is_stored_under_the_uploads_prefix():
    big = bytes(range(256)) * 20000
    stored, objects = await store(multipart(("Song/notes.chart", b"chart"), ("Song/a.ogg", big)))
    assert [(f.path, f.size) for f in stored] == [("Song/notes.chart", 5), ("Song/a.ogg", len(big))]
    assert objects.get_bytes("uploads", "gateway/1/Song/a.ogg") == big


async def test_a_raw_body_is_stored_under_its_filename():
    stored, objects = await store(b"7z-bytes", content_type="application/octet-stream",
                                  filename="pack.7z")
    assert stored[0].key == "gateway/1/pack.7z"
    assert objects.get_bytes("uploads", "gateway/1/pack.7z") == b"7z-bytes"


async def test_an_upload_over_the_limit_is_refused_with_413():
    with pytest.raises(UploadRejected) as refused:
        await store(multipart(("big.zip", b"x" * 50_000)), max_bytes=10_000)
    assert refused.value.status == 413


@pytest.mark.parametrize("name", ["../evil.zip", "a/../../b", "", "C:/x"])
def test_file_names_that_climb_out_are_refused(name):
    with pytest.raises(UploadRejected):
        safe_relative_path(name)


def test_backslashes_become_folders():
    assert safe_relative_path("Song\\notes.chart") == "Song/notes.chart"


async def test_a_body_without_a_file_is_refused():
    with pytest.raises(UploadRejected):
        await store(f"--{BOUNDARY}--\r\n".encode())


def field(name: str, value: bytes) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n"
            ).encode() + value + b"\r\n"


async def long_field(size: int = 4 * 1024**2, chunk: int = 64 * 1024):
    """One form field of `size` bytes, then a file: the field must stop the upload."""
    yield field("note", b"")[:-2]
    for _ in range(size // chunk):
        yield b"n" * chunk
    yield b"\r\n" + multipart(("a.zip", b"zip"))


async def test_a_form_field_that_is_not_a_file_is_refused_past_64_kib():
    with pytest.raises(UploadRejected) as refused:
        await store_body(long_field(), content_type=f"multipart/form-data; boundary={BOUNDARY}",
                         filename=None, store=InMemoryObjectStore(), bucket="uploads",
                         turns=LargeFileTurns(2), prefix="gateway/1", max_bytes=10**12)
    assert refused.value.status == 413
    assert refused.value.reason == "A form field other than a file is larger than 64 KiB."


async def test_small_form_fields_beside_a_file_are_ignored():
    body = field("csrf", b"t" * 1000) + multipart(("a.zip", b"zip"))
    stored, _ = await store(body)
    assert [(f.path, f.size) for f in stored] == [("a.zip", 3)]


async def test_a_refused_file_name_stores_nothing_of_that_file():
    def only_png(name: str | None) -> str:
        if not (name or "").endswith(".png"):
            raise UploadRejected("A background must be a .png.")
        return name

    objects = InMemoryObjectStore()
    with pytest.raises(UploadRejected, match=r"must be a \.png"):
        await store_body(chunks(multipart(("bg.exe", b"x" * 50_000))),
                         content_type=f"multipart/form-data; boundary={BOUNDARY}", filename=None,
                         store=objects, bucket="uploads", prefix="c/1", max_bytes=10**9,
                         turns=LargeFileTurns(2), name_file=only_png)
    assert list(objects.list("uploads", "")) == []


async def test_a_second_file_past_max_files_is_refused():
    with pytest.raises(UploadRejected, match="at most 1 file"):
        await store_body(chunks(multipart(("a.png", b"a"), ("b.png", b"b"))),
                         content_type=f"multipart/form-data; boundary={BOUNDARY}", filename=None,
                         store=InMemoryObjectStore(), bucket="uploads", prefix="c/1",
                         max_bytes=10**9, turns=LargeFileTurns(2), max_files=1)


class PartCountingStore(InMemoryObjectStore):
    """Reads a stream of unknown length as the S3 adapter does: a first small read, then, when
    that is full, a part buffer until the end; counts the part buffers held at once."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self.holding = self.most_held = 0

    def put_stream(self, bucket, key, stream, length=-1):
        first = bytearray(FIRST_READ_SIZE)
        filled = 0
        while filled < len(first) and (count := stream.readinto(memoryview(first)[filled:])):
            filled += count
        size = filled
        if filled == len(first):
            with self._lock:
                self.holding += 1
                self.most_held = max(self.most_held, self.holding)
            try:
                part = bytearray(1024 * 1024)
                while count := stream.readinto(part):
                    size += count
            finally:
                with self._lock:
                    self.holding -= 1
        return self.put_bytes(bucket, key, str(size).encode())


async def slow_pieces(total: int, size: int = 64 * 1024):
    for start in range(0, total, size):
        await anyio.sleep(0.001)  # other uploads' bytes arrive in between
        yield b"x" * min(size, total - start)


async def receive(objects, turns: LargeFileTurns, name: str, size: int, max_bytes=10**12):
    [stored] = await store_body(slow_pieces(size), content_type="application/octet-stream",
                                filename=name, store=objects, bucket="uploads",
                                prefix="gateway/1", max_bytes=max_bytes, turns=turns)
    return stored


async def test_however_many_large_files_arrive_together_only_their_turns_hold_a_part():
    objects, turns = PartCountingStore(), LargeFileTurns(2)
    async with anyio.create_task_group() as uploads:
        for number in range(5):
            uploads.start_soon(receive, objects, turns, f"song{number}.zip", 3 * 1024 * 1024)
    assert objects.most_held == 2
    assert [objects.get_bytes("uploads", f"gateway/1/song{n}.zip") for n in range(5)] == [
        str(3 * 1024 * 1024).encode()] * 5


async def test_a_small_file_needs_no_turn_and_a_large_one_waits_then_is_told_to_retry():
    objects, turns = PartCountingStore(), LargeFileTurns(1, wait_seconds=0.3)
    await turns.take()  # another large file is being received
    small = await receive(objects, turns, "small.zip", FIRST_READ_SIZE - 1)
    assert small.size == FIRST_READ_SIZE - 1
    with pytest.raises(UploadUnavailable, match="send it again later"):
        await receive(objects, turns, "large.zip", FIRST_READ_SIZE)
    assert objects.most_held == 0


async def test_a_refused_or_cancelled_large_file_gives_its_turn_back():
    objects, turns = PartCountingStore(), LargeFileTurns(1, wait_seconds=1)
    with pytest.raises(UploadRejected):
        await receive(objects, turns, "over.zip", 2 * 1024 * 1024, max_bytes=1024 * 1024)
    with anyio.move_on_after(0.05):
        await receive(objects, turns, "cut-off.zip", 50 * 1024 * 1024)
    stored = await receive(objects, turns, "next.zip", 2 * 1024 * 1024)
    assert stored.size == 2 * 1024 * 1024


class InMemoryPartStore(InMemoryObjectStore):
    """Reads a stream of unknown length as the S3 adapter does, a part at a time into one
    buffer, and keeps only each object's size and digest."""

    PART = 1024 * 1024

    def put_stream(self, bucket, key, stream, length=-1):
        part, digest, size = memoryview(bytearray(self.PART)), hashlib.sha256(), 0
        while count := stream.readinto(part):
            digest.update(part[:count])
            size += count
        return self.put_bytes(bucket, key, f"{size}:{digest.hexdigest()}".encode())


async def pieces(count: int, size: int = 64 * 1024):
    for index in range(count):
        yield bytes([index % 251]) * size


async def test_a_large_body_costs_the_part_the_store_reads_and_little_beside_it():
    """Each piece goes straight into the part buffer the store fills: no queue of pieces, no
    copy of a part, whatever the size of the body."""
    objects = InMemoryPartStore()
    tracemalloc.start()
    try:
        [stored] = await store_body(pieces(400), content_type="application/octet-stream",
                                    filename="pack.zip", store=objects, bucket="uploads",
                                    turns=LargeFileTurns(2), prefix="gateway/1", max_bytes=10**12)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    expected = hashlib.sha256()
    async for piece in pieces(400):
        expected.update(piece)
    assert stored.size == 400 * 64 * 1024
    assert objects.get_bytes("uploads", "gateway/1/pack.zip").decode() == (
        f"{stored.size}:{expected.hexdigest()}")
    assert peak < InMemoryPartStore.PART + 512 * 1024


def read_in_a_thread(feed: PartFeed, sizes: list[int]) -> tuple[threading.Thread, list]:
    """What each `readinto` of a buffer of each size got, or the error it raised."""
    got: list = []

    def read() -> None:
        try:
            for size in sizes:
                buffer = bytearray(size)
                got.append(bytes(buffer[:feed.readinto(buffer)]))
        except Exception as error:
            got.append(error)
        finally:
            feed.close()

    reader = threading.Thread(target=read)
    reader.start()
    return reader, got


async def test_the_feed_fills_each_buffer_the_reader_holds_out_then_ends():
    feed = PartFeed()
    reader, got = read_in_a_thread(feed, [5, 5, 5, 5])
    for piece in (b"abc", b"defghij", b"kl"):
        await feed.write(piece)
    feed.end()
    await anyio.to_thread.run_sync(reader.join)
    assert got == [b"abcde", b"fghij", b"kl", b""]


async def test_a_given_up_feed_makes_the_reader_raise():
    feed = PartFeed()
    reader, got = read_in_a_thread(feed, [5, 5])
    await feed.write(b"abcdefg")
    feed.abort()
    await anyio.to_thread.run_sync(reader.join)
    assert got[0] == b"abcde" and isinstance(got[1], Exception)


async def test_what_is_written_after_the_reader_stopped_is_dropped():
    feed = PartFeed()
    reader, got = read_in_a_thread(feed, [3])
    await feed.write(b"abc")
    await anyio.to_thread.run_sync(reader.join)
    await feed.write(b"more than the reader took")  # returns: nobody reads any more
    assert got == [b"abc"]
