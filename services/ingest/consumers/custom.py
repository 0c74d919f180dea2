"""Custom content check: `custom.uploaded` → the file checked and stored by content in the songs
bucket → `custom.validated`, or `custom.rejected` with the reason."""

from __future__ import annotations

from collections.abc import Sequence

import anyio

from shared.custom_content import CheckedContent, InvalidCustomContent, check
from shared.events import (
    CustomContentRejected,
    CustomContentUploaded,
    CustomContentValidated,
    Event,
)
from shared.messaging import PermanentError
from shared.song_store import Writing, keep_blob
from shared.storage import ObjectStore


def make_handler(store: ObjectStore, songs_bucket: str, writing: Writing):
    async def check_custom(event: CustomContentUploaded) -> Sequence[Event]:
        return (await anyio.to_thread.run_sync(_check_and_store, store, songs_bucket, writing,
                                               event),)

    return check_custom


def _check_and_store(store: ObjectStore, bucket: str, writing: Writing,
                     event: CustomContentUploaded) -> CustomContentValidated:
    data = store.get_bytes(event.bucket, event.key)
    try:
        checked = check(event.kind, event.filename, data)
    except InvalidCustomContent as error:
        raise PermanentError(error.reason) from None
    with writing():
        digest = keep_blob(store, bucket, data)
    return _validated(event, checked, digest, len(data))


def _validated(event: CustomContentUploaded, checked: CheckedContent, digest: str,
               size: int) -> CustomContentValidated:
    return CustomContentValidated.after(
        event, filename=checked.filename, sha256=digest, size=size,
        media=checked.media, width=checked.width, height=checked.height,
        colors=checked.colors, warnings=checked.warnings)


def failed(event: CustomContentUploaded, reason: str) -> Sequence[Event]:
    return (CustomContentRejected.after(event, filename=event.filename, reason=reason),)
