"""Receiving an upload: the request body streamed into the uploads bucket as it arrives.

Memory stays bounded whatever the size: each file of a multipart body (or a raw body) is
written, piece by piece as it arrives, straight into the part buffer of an S3 multipart upload
running in a worker thread (see `part_feed.PartFeed`), counted against the limit as it
arrives; other form fields are never kept and may not exceed MAX_FIELD_BYTES. However many
uploads arrive together, only a few files past the store's first small read (and so holding a
part buffer) are received at once (see LargeFileTurns).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import PurePosixPath

import anyio
from multipart import MultipartError as _MultipartError
from multipart import MultipartSegment, PushMultipartParser

from services.gateway.part_feed import PartFeed
from shared.storage import ObjectStore
from shared.storage_parts import FIRST_READ_SIZE

MAX_FIELD_BYTES = 64 * 1024  # a form field that is not a file: a name, a token
TURN_WAIT_SECONDS = 120.0  # how long a large file waits for its turn before "try again later"


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


class LargeFileTurns:
    """Turns for files past the store's first read (FIRST_READ_SIZE), each of which takes a
    part buffer (5 MiB) until it is stored: at most `at_once` are received together, so the
    process's memory does not grow with the uploads in flight. A file waits for its turn on the
    event loop, its client's bytes held back in the connection, for at most `wait_seconds`."""

    def __init__(self, at_once: int, wait_seconds: float = TURN_WAIT_SECONDS) -> None:
        self._free = anyio.Semaphore(at_once)
        self._wait_seconds = wait_seconds

    async def take(self) -> None:
        try:
            with anyio.fail_after(self._wait_seconds):
                await self._free.acquire()
        except TimeoutError:
            raise UploadUnavailable(
                "The server is receiving other large uploads and none ended within "
                f"{self._wait_seconds:.0f} s; send it again later.", None) from None

    def give_back(self) -> None:
        self._free.release()


@dataclass(frozen=True)
class StoredFile:
    path: str
    key: str
    size: int
    etag: str


def safe_relative_path(name: str | None) -> str:
    """A client-given file name as a relative POSIX path, refusing traversal."""
    parts = PurePosixPath((name or "").replace("\\", "/")).parts
    parts = tuple(part for part in parts if part not in ("", ".", "/"))
    if not parts or ".." in parts or any(":" in part for part in parts[:1]):
        raise UploadRejected(f"The file name {name!r} is not a safe relative path.")
    return "/".join(parts)


class _FileWriter:
    """One file on its way into the bucket."""

    def __init__(self, store: ObjectStore, bucket: str, key: str, path: str,
                 turns: LargeFileTurns) -> None:
        self.path, self.key, self.size = path, key, 0
        self._turns, self._has_turn = turns, False
        self._feed = PartFeed()
        self._etag: str | None = None
        self._done = anyio.Event()
        self._error: BaseException | None = None
        self._store, self._bucket = store, bucket

    async def run(self) -> None:
        try:
            self._etag = await anyio.to_thread.run_sync(
                self._store.put_stream, self._bucket, self.key, self._feed, -1)
        except BaseException as error:
            self._error = error
        finally:
            self._feed.close()
            self._done.set()

    async def write(self, data: bytes) -> None:
        if not self._has_turn and self.size + len(data) >= FIRST_READ_SIZE:
            await self._turns.take()  # these bytes fill the first read: a part buffer comes next
            self._has_turn = True
        self.size += len(data)
        await self._feed.write(data)

    async def finish(self) -> StoredFile:
        self._feed.end()
        await self._done.wait()
        self.give_back_turn()
        if self._error is not None:
            raise self._error
        return StoredFile(self.path, self.key, self.size, self._etag or "")

    async def abort(self) -> None:
        if not self._done.is_set():
            self._feed.abort()
            await self._done.wait()
        self.give_back_turn()

    def abandon(self) -> None:
        """Stop the reader without waiting for it (the request is being cancelled)."""
        self._feed.abort()
        self.give_back_turn()

    def give_back_turn(self) -> None:
        if self._has_turn:
            self._has_turn = False
            self._turns.give_back()


async def store_body(body: AsyncIterator[bytes], *, content_type: str, filename: str | None,
                     store: ObjectStore, bucket: str, prefix: str, max_bytes: int,
                     turns: LargeFileTurns,
                     name_file: Callable[[str | None], str] = safe_relative_path,
                     max_files: int | None = None) -> list[StoredFile]:
    """Store every file of the body under `prefix`; multipart or a raw body named `filename`.
    `name_file` turns a client's file name into the stored path (or refuses it) before a byte
    of that file is stored; a large file waits for one of `turns`."""
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
                    writer = _FileWriter(store, bucket, f"{prefix}/{path}", path, turns)
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
        finally:
            if writer is not None:  # cancelled mid-file: the reader stops, the turn goes back
                writer.abandon()
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
