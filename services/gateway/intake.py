"""Receiving an upload: the request body streamed into the uploads bucket as it arrives.

Memory stays bounded whatever the size: each file of a multipart body (or a raw body) flows
through a small pipe into an S3 multipart upload running in a worker thread, counted against
the limit as it arrives; other form fields are never kept and may not exceed MAX_FIELD_BYTES.
"""

from __future__ import annotations

import queue
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

import anyio
from multipart import MultipartError as _MultipartError
from multipart import MultipartSegment, PushMultipartParser

from shared.storage import ObjectStore

FEED_BYTES = 1024 * 1024
MAX_FIELD_BYTES = 64 * 1024  # a form field that is not a file: a name, a token


class UploadRejected(Exception):
    """The upload cannot be accepted; `reason` says why and `status` is the HTTP status."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class UploadUnavailable(Exception):
    """The upload could not be taken now (the object store or the database is away): sending
    it again later may succeed. `upload_id` names its row when one was recorded."""

    def __init__(self, reason: str, upload_id: uuid.UUID | None) -> None:
        super().__init__(reason)
        self.reason, self.upload_id = reason, upload_id


@dataclass(frozen=True)
class StoredFile:
    path: str
    key: str
    size: int
    etag: str


class _Aborted(Exception):
    pass


class ChunkPipe:
    """A file-like object read by a worker thread and fed from the event loop. A read returns
    what one fed chunk holds at most (a short read, as a socket's), so the pipe never gathers
    a reader's whole request (an 8 MiB part) in a buffer of its own. It holds `depth` chunks
    while the reader sends a part: enough to keep the client sending, little to keep."""

    def __init__(self, depth: int = 4) -> None:
        self._chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(depth)
        self._left = b""
        self._ended = False

    def feed(self, chunk: bytes) -> None:
        self._chunks.put(chunk)

    def end(self) -> None:
        self._chunks.put(None)

    def abort(self) -> None:
        self._chunks.put(_Aborted())

    def read(self, size: int = -1) -> bytes:
        if size < 0:  # everything up to the end
            return b"".join(iter(lambda: self.read(FEED_BYTES), b""))
        while not self._left and not self._ended:
            item = self._chunks.get()
            if isinstance(item, BaseException):
                raise item
            if item is None:
                self._ended = True
            else:
                self._left = item
        if size >= len(self._left):
            data, self._left = self._left, b""
        else:
            data, self._left = self._left[:size], self._left[size:]
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
                     store: ObjectStore, bucket: str, prefix: str, max_bytes: int,
                     name_file: Callable[[str | None], str] = safe_relative_path,
                     max_files: int | None = None) -> list[StoredFile]:
    """Store every file of the body under `prefix`; multipart or a raw body named `filename`.
    `name_file` turns a client's file name into the stored path (or refuses it) before a byte
    of that file is stored."""
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
                    if max_files is not None and len(stored) >= max_files:
                        raise UploadRejected(f"Send at most {max_files} file(s) at a time.")
                    path = name_file(segment)
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
    in_file, field_bytes = False, 0
    try:
        with PushMultipartParser(boundary) as parser:
            async for chunk in body:
                for event in parser.parse(chunk):
                    if isinstance(event, MultipartSegment):
                        in_file, field_bytes = event.filename is not None, 0
                        if in_file:
                            yield b"", event.filename
                    elif event is None:
                        if in_file:
                            yield b"", None
                        in_file = False
                    elif in_file:
                        yield bytes(event), None
                    elif (field_bytes := field_bytes + len(event)) > MAX_FIELD_BYTES:
                        raise UploadRejected(f"A form field other than a file is larger than "
                                             f"{MAX_FIELD_BYTES // 1024} KiB.", status=413)
    except _MultipartError as error:
        raise UploadRejected(f"The multipart body is malformed: {error}") from error


def _boundary(content_type: str) -> str:
    for part in content_type.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        if key.lower() == "boundary" and value:
            return value.strip('"')
    raise UploadRejected("The multipart body has no boundary.")
