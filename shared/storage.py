"""The object store port, its S3 adapter (any S3 server, through the `minio` client) and an
in-memory double for unit tests.

Every method is synchronous: async callers run them in a worker thread.
"""

from __future__ import annotations

import contextlib
import io
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, Protocol

from minio import Minio
from minio.commonconfig import REPLACE, CopySource
from minio.datatypes import Part
from minio.error import S3Error

from shared.storage_parts import (
    FIRST_READ_SIZE,
    PART_SIZE,
    WholeReads,
    fill_part,
    stream_part_size,
)

_OCTETS = "application/octet-stream"
DOWNLOAD_PIECE = 1024 * 1024
_MISSING = {"NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound"}


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    etag: str | None = None
    traceparent: str | None = None
    """W3C trace context the uploader set as user metadata (`x-amz-meta-traceparent`); only
    `stat` reads it."""
    modified: datetime | None = None
    """When the object was last written (or touched), by the S3 server's clock."""


class ObjectStore(Protocol):
    def ensure_bucket(self, bucket: str) -> None: ...
    def bucket_exists(self, bucket: str) -> bool: ...
    def put_stream(self, bucket: str, key: str, stream: BinaryIO, length: int = -1) -> str: ...
    def put_bytes(self, bucket: str, key: str, data: bytes) -> str: ...
    def put_file(self, bucket: str, key: str, path: Path) -> str: ...
    def get_bytes(self, bucket: str, key: str) -> bytes: ...
    def get_range(self, bucket: str, key: str, offset: int, length: int) -> bytes: ...
    def download(self, bucket: str, key: str, path: Path) -> None: ...
    def stat(self, bucket: str, key: str) -> StoredObject | None: ...
    def list(self, bucket: str, prefix: str = "") -> Iterator[StoredObject]: ...
    def delete(self, bucket: str, key: str) -> None: ...
    def touch(self, bucket: str, key: str) -> bool: ...


class ObjectNotFound(KeyError):
    """The object does not exist."""


class S3ObjectStore:
    """ObjectStore over any S3 server (MinIO, SeaweedFS, AWS S3)."""

    def __init__(self, *, endpoint: str, access_key: str, secret_key: str, secure: bool = False,
                 region: str = "us-east-1") -> None:
        self._client = Minio(endpoint=endpoint, access_key=access_key, secret_key=secret_key,
                             secure=secure, region=region)

    def ensure_bucket(self, bucket: str) -> None:
        if not self._client.bucket_exists(bucket_name=bucket):
            try:
                self._client.make_bucket(bucket_name=bucket)
            except S3Error as error:
                if error.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise

    def bucket_exists(self, bucket: str) -> bool:
        return self._client.bucket_exists(bucket_name=bucket)

    def put_stream(self, bucket: str, key: str, stream: BinaryIO, length: int = -1) -> str:
        if length < 0:
            return self._put_in_parts(bucket, key, stream)
        # One part in flight: a part read while others are sent would hold a part per request.
        result = self._client.put_object(bucket_name=bucket, object_name=key,
                                         data=WholeReads(stream),
                                         length=length, part_size=PART_SIZE,
                                         num_parallel_uploads=1)
        return result.etag

    def _put_in_parts(self, bucket: str, key: str, stream: BinaryIO) -> str:
        """A stream of unknown length, each part read into the one buffer and sent from it
        (the client's own put copies each part as it grows, and again to cut it: three parts'
        worth at once); one request when it fits a part. Most uploads are a song or two, so a
        first small buffer is filled before a part's is taken (and cleared)."""
        client = self._client
        first = memoryview(bytearray(FIRST_READ_SIZE))
        filled = fill_part(first, stream)
        if filled < len(first):
            return client._put_object(bucket, key, first[:filled], {"Content-Type": _OCTETS}).etag
        part = memoryview(bytearray(stream_part_size(1)))
        part[:filled] = first
        del first
        filled += fill_part(part[filled:], stream)
        if filled < len(part):
            return client._put_object(bucket, key, part[:filled], {"Content-Type": _OCTETS}).etag
        upload_id = client._create_multipart_upload(bucket, key, {"Content-Type": _OCTETS})
        try:
            parts: list[Part] = []
            while filled:
                number = len(parts) + 1
                etag = client._upload_part(bucket, key, part[:filled], None, upload_id, number)
                parts.append(Part(number, etag))
                if stream_part_size(number + 1) != len(part):
                    part = memoryview(bytearray(stream_part_size(number + 1)))
                filled = fill_part(part, stream)
            return client._complete_multipart_upload(bucket, key, upload_id, parts).etag
        except BaseException:
            with contextlib.suppress(Exception):
                client._abort_multipart_upload(bucket, key, upload_id)
            raise

    def put_bytes(self, bucket: str, key: str, data: bytes) -> str:
        return self.put_stream(bucket, key, io.BytesIO(data), len(data))

    def put_file(self, bucket: str, key: str, path: Path) -> str:
        result = self._client.fput_object(bucket_name=bucket, object_name=key,
                                          file_path=str(path), part_size=PART_SIZE)
        return result.etag

    def get_bytes(self, bucket: str, key: str) -> bytes:
        return self._read(bucket, key)

    def get_range(self, bucket: str, key: str, offset: int, length: int) -> bytes:
        """`length` bytes from `offset` (fewer at the end of the object)."""
        return self._read(bucket, key, offset=offset, length=length)

    def _read(self, bucket: str, key: str, **span: int) -> bytes:
        try:
            response = self._client.get_object(bucket_name=bucket, object_name=key, **span)
        except S3Error as error:
            raise _translated(error, bucket, key) from error
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def download(self, bucket: str, key: str, path: Path) -> None:
        """The object into `path` (its folders made) in one request, not the stat and get of
        `fget_object`: written beside it, then renamed into place whole."""
        try:
            response = self._client.get_object(bucket_name=bucket, object_name=key)
        except S3Error as error:
            raise _translated(error, bucket, key) from error
        part = path.with_name(f"{path.name}.{threading.get_ident()}.part")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with part.open("wb") as written:
                for piece in response.stream(DOWNLOAD_PIECE):
                    written.write(piece)
            part.replace(path)
        finally:
            response.close()
            response.release_conn()
            part.unlink(missing_ok=True)

    def stat(self, bucket: str, key: str) -> StoredObject | None:
        try:
            info = self._client.stat_object(bucket_name=bucket, object_name=key)
        except S3Error as error:
            if error.code in _MISSING:
                return None
            raise
        metadata = {name.lower(): value for name, value in (info.metadata or {}).items()}
        return StoredObject(key=key, size=info.size or 0, etag=info.etag,
                            traceparent=metadata.get("x-amz-meta-traceparent"),
                            modified=info.last_modified)

    def list(self, bucket: str, prefix: str = "") -> Iterator[StoredObject]:
        for item in self._client.list_objects(bucket_name=bucket, prefix=prefix, recursive=True):
            if not item.is_dir:
                yield StoredObject(key=item.object_name, size=item.size or 0, etag=item.etag,
                                   modified=item.last_modified)

    def delete(self, bucket: str, key: str) -> None:
        self._client.remove_object(bucket_name=bucket, object_name=key)

    def touch(self, bucket: str, key: str) -> bool:
        """Make the object new again (its modification time now), copying it onto itself on
        the server; False when there is no such object."""
        try:
            self._client.copy_object(
                bucket_name=bucket, object_name=key,
                source=CopySource(bucket_name=bucket, object_name=key),
                metadata={"x-amz-meta-touched": datetime.now(UTC).isoformat()},
                metadata_directive=REPLACE)
        except S3Error as error:
            if error.code in _MISSING:
                return False
            raise
        return True


def _translated(error: S3Error, bucket: str, key: str) -> Exception:
    if error.code in _MISSING:
        return ObjectNotFound(f"{bucket}/{key}")
    return error


class InMemoryObjectStore:
    """ObjectStore kept in a dict, for unit tests; `clock` dates each write."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._objects: dict[tuple[str, str], bytes] = {}
        self._modified: dict[tuple[str, str], datetime] = {}
        self._buckets: set[str] = set()
        self._lock = threading.Lock()
        self._clock = clock

    def ensure_bucket(self, bucket: str) -> None:
        self._buckets.add(bucket)

    def bucket_exists(self, bucket: str) -> bool:
        return bucket in self._buckets

    def put_stream(self, bucket: str, key: str, stream: BinaryIO, length: int = -1) -> str:
        return self.put_bytes(bucket, key, stream.read())

    def put_bytes(self, bucket: str, key: str, data: bytes) -> str:
        with self._lock:
            self._objects[(bucket, key)] = bytes(data)
            self._modified[(bucket, key)] = self._clock()
        return f"etag-{len(data)}"

    def put_file(self, bucket: str, key: str, path: Path) -> str:
        return self.put_bytes(bucket, key, path.read_bytes())

    def get_bytes(self, bucket: str, key: str) -> bytes:
        try:
            return self._objects[(bucket, key)]
        except KeyError:
            raise ObjectNotFound(f"{bucket}/{key}") from None

    def get_range(self, bucket: str, key: str, offset: int, length: int) -> bytes:
        return self.get_bytes(bucket, key)[offset:offset + length]

    def download(self, bucket: str, key: str, path: Path) -> None:
        path.write_bytes(self.get_bytes(bucket, key))

    def stat(self, bucket: str, key: str) -> StoredObject | None:
        data = self._objects.get((bucket, key))
        return None if data is None else StoredObject(key=key, size=len(data),
                                                      modified=self._modified[(bucket, key)])

    def list(self, bucket: str, prefix: str = "") -> Iterator[StoredObject]:
        for (b, key), data in sorted(self._objects.items()):
            if b == bucket and key.startswith(prefix):
                yield StoredObject(key=key, size=len(data), modified=self._modified[(b, key)])

    def delete(self, bucket: str, key: str) -> None:
        with self._lock:
            self._objects.pop((bucket, key), None)
            self._modified.pop((bucket, key), None)

    def touch(self, bucket: str, key: str) -> bool:
        with self._lock:
            if (bucket, key) not in self._objects:
                return False
            self._modified[(bucket, key)] = self._clock()
        return True
