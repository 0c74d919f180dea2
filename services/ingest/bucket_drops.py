"""Archives dropped into the uploads bucket's drop area by any S3 client.

MinIO's notification JSON (the fast path) and the reconciler's bucket listing (the ground truth)
both become the same upload: its id derives from bucket, key and ETag, and the upload row is
claimed before it is announced, so an object is ingested once whichever way it is seen first.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import unquote_plus

from pydantic import BaseModel, ConfigDict, Field

from shared.events import UploadOrigin, UploadReceived

DROP_NAMESPACE = uuid.UUID("a9a3a8e2-5d4b-4c55-8f8e-2f6b9d3e1c77")


@dataclass(frozen=True)
class DroppedObject:
    bucket: str
    key: str
    etag: str | None
    size: int

    @property
    def upload_id(self) -> uuid.UUID:
        return uuid.uuid5(DROP_NAMESPACE, f"{self.bucket}/{self.key}@{self.etag or ''}")

    def announcement(self, etag: str | None = None) -> UploadReceived:
        origin = UploadOrigin(bucket=self.bucket, key=self.key,
                              filename=self.key.rsplit("/", 1)[-1])
        return UploadReceived.about(self.upload_id, origin=origin, size=self.size,
                                    etag=etag or self.etag, source="bucket")


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class _Object(_Model):
    key: str
    size: int = 0
    etag: str | None = Field(default=None, alias="eTag")


class _Bucket(_Model):
    name: str


class _S3(_Model):
    bucket: _Bucket
    object: _Object


class _Record(_Model):
    event_name: str = Field(alias="eventName")
    s3: _S3


class BucketNotification(_Model):
    """MinIO's (and S3's) event notification: one or more records."""

    records: tuple[_Record, ...] = Field(alias="Records")

    def created_objects(self, prefix: str) -> list[DroppedObject]:
        """Objects created in the drop area; keys arrive escaped as Go's url.QueryEscape does."""
        created = []
        for record in self.records:
            name = record.event_name.removeprefix("s3:")
            key = unquote_plus(record.s3.object.key)
            if name.startswith("ObjectCreated:") and in_drop_area(key, prefix):
                etag = (record.s3.object.etag or "").strip('"') or None
                created.append(DroppedObject(record.s3.bucket.name, key, etag,
                                             record.s3.object.size))
        return created


def in_drop_area(key: str, prefix: str) -> bool:
    return key.startswith(prefix) and not key.endswith("/") and len(key) > len(prefix)


def parse_notification(body: bytes) -> BucketNotification:
    return BucketNotification.model_validate_json(body)
