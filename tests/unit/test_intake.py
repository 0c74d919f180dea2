"""The gateway streams upload bodies into the object store with bounded memory."""

from __future__ import annotations

import pytest

from services.gateway.intake import UploadRejected, safe_relative_path, store_body
from shared.storage import InMemoryObjectStore

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
        max_bytes=max_bytes)
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
