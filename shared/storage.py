"""The object store port, its S3 adapter (any S3 server, through the `minio` client) and an
in-memory double for unit tests.

Every method is synchronous: async callers run them in a worker thread.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from minio import Minio
from minio.error import S3Error

PART_SIZE = 16 * 1024 * 1024
_MISSING = {"NoSuchKey", "NoSuchBucket", "NoSuchObject", "ResourceNotFound"}


@dataclass(frozen=True)
class StoredObject:
    key: str
    size: int
    etag: str | None = None
    traceparent: str | None = None
    """W3C trace context the uploader set as user metadata (`x-amz-meta-traceparent`); only
    `stat` reads it."""


class ObjectStore(Protocol):
    def ensure_bucket(self, bucket: str) -> None: ...
    def bucket_exists(self, bucket: str) -> bool: ...
    def put_stream(self, bucket: str, key: str, stream: BinaryIO, length: int = -1) -> str: ...
    def put_bytes(self, bucket: str, key: str, data: bytes) -> str: ...
    def put_file(self, bucket: str, key: str, path: Path) -> str: ...
    def get_bytes(self, bucket: str, key: str) -> bytes: ...
    def download(self, bucket: str, key: str, path: Path) -> None: ...
    def stat(self, bucket: str, key: str) -> StoredObject | None: ...
    def list(self, bucket: str, prefix: str = "") -> Iterator[StoredObject]: ...
    def delete(self, bucket: str, key: str) -> None: ...


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
        result = self._client.put_object(bucket_name=bucket, object_name=key, data=stream,
                                         length=length, part_size=PART_SIZE)
        return result.etag

    def put_bytes(self, bucket: str, key: str, data: bytes) -> str:
        return self.put_stream(bucket, key, io.BytesIO(data), len(data))

    def put_file(self, bucket: str, key: str, path: Path) -> str:
        result = self._client.fput_object(bucket_name=bucket, object_name=key,
                                          file_path=str(path), part_size=PART_SIZE)
        return result.etag

    def get_bytes(self, bucket: str, key: str) -> bytes:
        try:
            response = self._client.get_object(bucket_name=bucket, object_name=key)
        except S3Error as error:
            raise _translated(error, bucket, key) from error
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def download(self, bucket: str, key: str, path: Path) -> None:
        try:
            self._client.fget_object(bucket_name=bucket, object_name=key, file_path=str(path))
        except S3Error as error:
            raise _translated(error, bucket, key) from error

    def stat(self, bucket: str, key: str) -> StoredObject | None:
        try:
            info = self._client.stat_object(bucket_name=bucket, object_name=key)
        except S3Error as error:
            if error.code in _MISSING:
                return None
            raise
        metadata = {name.lower(): value for name, value in (info.metadata or {}).items()}
        return StoredObject(key=key, size=info.size or 0, etag=info.etag,
                            traceparent=metadata.get("x-amz-meta-traceparent"))

    def list(self, bucket: str, prefix: str = "") -> Iterator[StoredObject]:
        for item in self._client.list_objects(bucket_name=bucket, prefix=prefix, recursive=True):
            if not item.is_dir:
                yield StoredObject(key=item.object_name, size=item.size or 0, etag=item.etag)

    def delete(self, bucket: str, key: str) -> None:
        self._client.remove_object(bucket_name=bucket, object_name=key)


def _translated(error: S3Error, bucket: str, key: str) -> Exception:
    if error.code in _MISSING:
        return ObjectNotFound(f"{bucket}/{key}")
    return error


class InMemoryObjectStore:
    """ObjectStore kept in a dict, for unit tests."""

    def __init__(self) -> None:
        self._objects: dict[tuple[str, str], bytes] = {}
        self._buckets: set[str] = set()
        self._lock = threading.Lock()

    def ensure_bucket(self, bucket: str) -> None:
        self._buckets.add(bucket)

    def bucket_exists(self, bucket: str) -> bool:
        return bucket in self._buckets

    def put_stream(self, bucket: str, key: str, stream: BinaryIO, length: int = -1) -> str:
        return self.put_bytes(bucket, key, stream.read())

    def put_bytes(self, bucket: str, key: str, data: bytes) -> str:
        with self._lock:
            self._objects[(bucket, key)] = bytes(data)
        return f"etag-{len(data)}"

    def put_file(self, bucket: str, key: str, path: Path) -> str:
        return self.put_bytes(bucket, key, path.read_bytes())

    def get_bytes(self, bucket: str, key: str) -> bytes:
        try:
            return self._objects[(bucket, key)]
        except KeyError:
            raise ObjectNotFound(f"{bucket}/{key}") from None

    def download(self, bucket: str, key: str, path: Path) -> None:
        path.write_bytes(self.get_bytes(bucket, key))

    def stat(self, bucket: str, key: str) -> StoredObject | None:
        data = self._objects.get((bucket, key))
        return None if data is None else StoredObject(key=key, size=len(data))

    def list(self, bucket: str, prefix: str = "") -> Iterator[StoredObject]:
        for (b, key), data in sorted(self._objects.items()):
            if b == bucket and key.startswith(prefix):
                yield StoredObject(key=key, size=len(data))

    def delete(self, bucket: str, key: str) -> None:
        self._objects.pop((bucket, key), None)
