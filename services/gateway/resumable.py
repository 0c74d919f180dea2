"""Resumable uploads (the core of the tus 1.0 protocol: creation, offset, append).

Each PATCH body is stored as one chunk object named by its zero-padded byte offset under
`gateway/<upload id>/chunks/`. A chunk cut off by a dropped connection is discarded whole, so
the offset the server reports is always the end of the last complete chunk: the client sends
from there and never sends earlier bytes again. When the last byte arrives the upload is
announced like any other, and the unpack stage joins the chunks in order.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass

from shared.storage import ObjectStore

TUS_VERSION = "1.0.0"
OFFSET_DIGITS = 20


class ResumableError(Exception):
    def __init__(self, reason: str, status: int) -> None:
        super().__init__(reason)
        self.reason, self.status = reason, status


@dataclass(frozen=True)
class ResumableUpload:
    upload_id: uuid.UUID
    length: int
    filename: str

    @property
    def prefix(self) -> str:
        return f"gateway/{self.upload_id}/chunks/"

    def chunk_key(self, offset: int) -> str:
        return f"{self.prefix}{offset:0{OFFSET_DIGITS}d}"


def parse_metadata(header: str | None) -> dict[str, str]:
    """tus `Upload-Metadata`: comma-separated `key base64value` pairs."""
    metadata = {}
    for pair in (header or "").split(","):
        key, _, value = pair.strip().partition(" ")
        if key:
            try:
                metadata[key] = base64.b64decode(value).decode("utf-8") if value else ""
            except ValueError as error:
                raise ResumableError(f"Upload-Metadata {key!r} is not base64.", 400) from error
    return metadata


def stored_offset(store: ObjectStore, bucket: str, session: ResumableUpload) -> int:
    """Bytes stored without a gap, from the chunks' names and sizes."""
    offset = 0
    for chunk in sorted(store.list(bucket, session.prefix), key=lambda c: c.key):
        if int(chunk.key.rsplit("/", 1)[-1]) != offset:
            break
        offset += chunk.size
    return offset
