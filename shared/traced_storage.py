"""An ObjectStore that puts each object-store call in a client span (`s3 <method>`)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from shared.storage import ObjectStore, StoredObject
from shared.telemetry import span


class TracedObjectStore:
    """Wraps any ObjectStore; the span records the bucket and key of each call."""

    def __init__(self, inner: ObjectStore) -> None:
        self._inner = inner

    def ensure_bucket(self, bucket: str) -> None:
        with span("s3 ensure_bucket", **{"aws.s3.bucket": bucket}):
            self._inner.ensure_bucket(bucket)

    def bucket_exists(self, bucket: str) -> bool:
        with span("s3 bucket_exists", **{"aws.s3.bucket": bucket}):
            return self._inner.bucket_exists(bucket)

    def put_stream(self, bucket: str, key: str, stream: BinaryIO, length: int = -1) -> str:
        with span("s3 put_stream", **_where(bucket, key)):
            return self._inner.put_stream(bucket, key, stream, length)

    def put_bytes(self, bucket: str, key: str, data: bytes) -> str:
        with span("s3 put_bytes", **_where(bucket, key), size=len(data)):
            return self._inner.put_bytes(bucket, key, data)

    def put_file(self, bucket: str, key: str, path: Path) -> str:
        with span("s3 put_file", **_where(bucket, key)):
            return self._inner.put_file(bucket, key, path)

    def get_bytes(self, bucket: str, key: str) -> bytes:
        with span("s3 get_bytes", **_where(bucket, key)):
            return self._inner.get_bytes(bucket, key)

    def get_range(self, bucket: str, key: str, offset: int, length: int) -> bytes:
        with span("s3 get_range", **_where(bucket, key)):
            return self._inner.get_range(bucket, key, offset, length)

    def download(self, bucket: str, key: str, path: Path) -> None:
        with span("s3 download", **_where(bucket, key)):
            self._inner.download(bucket, key, path)

    def stat(self, bucket: str, key: str) -> StoredObject | None:
        with span("s3 stat", **_where(bucket, key)):
            return self._inner.stat(bucket, key)

    def list(self, bucket: str, prefix: str = "") -> Iterator[StoredObject]:
        with span("s3 list", **{"aws.s3.bucket": bucket, "chhub.prefix": prefix}):
            items = list(self._inner.list(bucket, prefix))
        return iter(items)

    def delete(self, bucket: str, key: str) -> None:
        with span("s3 delete", **_where(bucket, key)):
            self._inner.delete(bucket, key)

    def touch(self, bucket: str, key: str) -> bool:
        with span("s3 touch", **_where(bucket, key)):
            return self._inner.touch(bucket, key)


def _where(bucket: str, key: str) -> dict[str, str]:
    return {"aws.s3.bucket": bucket, "aws.s3.key": key}
