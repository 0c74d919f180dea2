"""Receiving an upload: the request body streamed into the uploads bucket as it arrives.

Memory stays bounded whatever the size: each file of a multipart body (or a raw body) flows
through a small pipe into an S3 multipart upload running in a worker thread.
"""

from __future__ import annotations

import queue
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import PurePosixPath

import anyio
from multipart import MultipartError as _MultipartError
from multipart import MultipartSegment, PushMultipartParser

from shared.storage import ObjectStore

FEED_BYTES = 1024 * 1024


class UploadRejected(Exception):
    """The upload cannot be accepted; `reason` says why and `status` is the HTTP status."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class StoredFile:
    path: str
    key: str
    size: int
    etag: str


class _Aborted(Exception):
    pass


class ChunkPipe:
    """A file-like object read by a worker thread and fed from the event loop."""

    def __init__(self, depth: int = 8) -> None:
        self._chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(depth)
        self._buffer = bytearray()
        self._ended = False

    def feed(self, chunk: bytes) -> None:
        self._chunks.put(chunk)

    def end(self) -> None:
        self._chunks.put(None)

    def abort(self) -> None:
        self._chunks.put(_Aborted())

    def read(self, size: int = -1) -> bytes:
        while not self._ended and (size < 0 or len(self._buffer) < size):
            item = self._chunks.get()
            if isinstance(item, BaseException):
                raise item
            if item is None:
                self._ended = True
            else:
                self._buffer += item
        size = len(self._buffer) if size < 0 else size
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


def safe_relative_path(name: str | None) -> str:
    """A client-given file name as a relative POSIX path, refusing traversal."""
    parts = PurePosixPath((name or "").replace("\\", "/")).parts
    parts = tuple(part for part in parts if part not in ("", ".", "/"))
    if not parts or ".." in parts or any(":" in part for part in parts[:1]):
        raise UploadRejected(f"The file name {name!r} is not a safe relative path.")
    return "/".join(parts)


class _FileWriter:
    """One file on its way into the bucket."""

    def __init__(self, store: ObjectStore, bucket: str, key: str, path: str) -> None:
        self.path, self.key, self.size = path, key, 0
        self._pipe = ChunkPipe()
        self._pending = bytearray()
        self._etag: str | None = None
        self._done = anyio.Event()
        self._error: BaseException | None = None
        self._store, self._bucket = store, bucket

    async def run(self) -> None:
        try:
            self._etag = await anyio.to_thread.run_sync(
                self._store.put_stream, self._bucket, self.key, self._pipe, -1)
        except BaseException as error:
            self._error = error
        finally:
            self._done.set()

    async def write(self, data: bytes) -> None:
        self.size += len(data)
        self._pending += data
        if len(self._pending) >= FEED_BYTES:
            await self._flush()

    async def _flush(self) -> None:
        chunk, self._pending = bytes(self._pending), bytearray()
        if self._done.is_set():
            return
        await anyio.to_thread.run_sync(self._pipe.feed, chunk)

    async def finish(self) -> StoredFile:
        await self._flush()
        await anyio.to_thread.run_sync(self._pipe.end)
        await self._done.wait()
        if self._error is not None:
            raise self._error
        return StoredFile(self.path, self.key, self.size, self._etag or "")

    async def abort(self) -> None:
        if not self._done.is_set():
            await anyio.to_thread.run_sync(self._pipe.abort)
            await self._done.wait()


async def store_body(body: AsyncIterator[bytes], *, content_type: str, filename: str | None,
                     store: ObjectStore, bucket: str, prefix: str,
                     max_bytes: int) -> list[StoredFile]:
    """Store every file of the body under `prefix`; multipart or a raw body named `filename`."""
    stored: list[StoredFile] = []
    received = 0
    failure: BaseException | None = None
    async with anyio.create_task_group() as tasks:
        writer: _FileWriter | None = None
        try:
            async for piece, segment in _segments(body, content_type, filename):
                received += len(piece)
                if received > max_bytes:
                    raise UploadRejected(
                        f"The upload is larger than the limit of {max_bytes} bytes.", status=413)
                if segment is not None:
                    path = safe_relative_path(segment)
                    writer = _FileWriter(store, bucket, f"{prefix}/{path}", path)
                    tasks.start_soon(writer.run)
                elif piece:
                    await writer.write(piece)
                else:
                    stored.append(await writer.finish())
                    writer = None
        except Exception as error:  # re-raised below, unwrapped from the task group
            failure = error
            if writer is not None:
                await writer.abort()
    if failure is not None:
        raise failure
    if not stored:
        raise UploadRejected("The request holds no file.")
    return stored


async def _segments(body: AsyncIterator[bytes], content_type: str, filename: str | None):
    """(data, None) for file bytes, (b"", name) when a file starts, (b"", None) when it ends."""
    if not content_type.startswith("multipart/form-data"):
        yield b"", filename or "upload"
        async for chunk in body:
            if chunk:
                yield chunk, None
        yield b"", None
        return
    boundary = _boundary(content_type)
    in_file = False
    try:
        with PushMultipartParser(boundary) as parser:
            async for chunk in body:
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        in_file = event.filename is not None
                        if in_file:
                            yield b"", event.filename
                    elif event is None:
                        if in_file:
                            yield b"", None
                        in_file = False
                    elif in_file:
                        yield bytes(event), None
    except _MultipartError as error:
        raise UploadRejected(f"The multipart body is malformed: {error}") from error


def _boundary(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "boundary" and value:
            return value.strip('"')
    raise UploadRejected("The multipart body has no boundary.")
