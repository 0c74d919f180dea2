"""Custom content check: `custom.uploaded` → the file checked and stored by content in the songs
bucket → `custom.validated`, or `custom.rejected` with the reason."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import anyio

from shared.custom_content import CheckedContent, InvalidCustomContent, check
from shared.events import (
    CustomContentRejected,
    CustomContentUploaded,
    CustomContentValidated,
    Event,
    event_id,
)
from shared.manifest import blob_key
from shared.messaging import PermanentError
from shared.storage import ObjectStore


def make_handler(store: ObjectStore, songs_bucket: str):
    async def check_custom(event: CustomContentUploaded) -> Sequence[Event]:
        return (await anyio.to_thread.run_sync(_check_and_store, store, songs_bucket, event),)

    return check_custom


def _check_and_store(store: ObjectStore, bucket: str,
                     event: CustomContentUploaded) -> CustomContentValidated:
    data = store.get_bytes(event.bucket, event.key)
    try:
        checked = check(event.kind, event.filename, data)
    except InvalidCustomContent as error:
        raise PermanentError(error.reason) from None
    digest = hashlib.sha256(data).hexdigest()
    if store.stat(bucket, blob_key(digest)) is None:
        store.put_bytes(bucket, blob_key(digest), data)
    return _validated(event, checked, digest, len(data))


def _validated(event: CustomContentUploaded, checked: CheckedContent, digest: str,
               size: int) -> CustomContentValidated:
    return CustomContentValidated(
        event_id=event_id("custom.validated", event.content_id), content_id=event.content_id,
        kind=event.kind, filename=checked.filename, sha256=digest, size=size,
        media=checked.media, width=checked.width, height=checked.height,
        colors=checked.colors, warnings=checked.warnings)


def failed(event: CustomContentUploaded, reason: str) -> Sequence[Event]:
    return (CustomContentRejected(
        event_id=event_id("custom.rejected", event.content_id), content_id=event.content_id,
        kind=event.kind, filename=event.filename, reason=reason),)
