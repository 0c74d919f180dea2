"""What the gateway does for custom content and rigs: store an upload and announce it, ask for a
deletion, announce a rig's selection. It writes nothing else: the pipeline does the rest."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import BinaryIO

import anyio

from services.gateway.deps import Gateway
from shared.custom_content import ACCEPTED, extension_of, safe_filename
from shared.events import (
    CustomContentDeleted,
    CustomContentUploaded,
    RigSelectionChanged,
    event_id,
)

KINDS = {"backgrounds": "background", "colors": "color", "highways": "highway"}
MAX_CUSTOM_BYTES = 1024**3


class CustomUploadRefused(ValueError):
    """Refused before storing: no file, a name of the wrong kind, too large."""


async def receive_custom(gateway: Gateway, kind: str, filename: str, stream: BinaryIO,
                         size: int) -> uuid.UUID:
    """Store the file in the uploads bucket and announce it; the new item's id."""
    name = safe_filename(filename or "")
    if not filename or size == 0:
        raise CustomUploadRefused("Choose a file to upload.")
    if extension_of(name) not in ACCEPTED[kind]:
        allowed = ", ".join(f".{e}" for e in ACCEPTED[kind])
        raise CustomUploadRefused(f"A {kind} must be one of {allowed}.")
    if size > min(MAX_CUSTOM_BYTES, gateway.settings.max_upload_bytes):
        raise CustomUploadRefused("This file is too large.")
    content_id = uuid.uuid4()
    bucket, key = gateway.settings.uploads_bucket, f"custom/{content_id}/{name}"
    await anyio.to_thread.run_sync(gateway.store.put_stream, bucket, key, stream, size)
    await gateway.bus.publish(CustomContentUploaded(
        event_id=event_id("custom.uploaded", content_id), content_id=content_id, kind=kind,
        bucket=bucket, key=key, filename=filename.replace("\\", "/").rsplit("/", 1)[-1],
        size=size))
    return content_id


async def request_custom_delete(gateway: Gateway, content_id: uuid.UUID, kind: str) -> None:
    await gateway.bus.publish(CustomContentDeleted(
        event_id=event_id("custom.deleted", content_id), content_id=content_id, kind=kind))


async def choose_selection(gateway: Gateway, device_id: str, *, name: str = "",
                           addresses: Sequence[str] = (), mode: str = "all",
                           search: dict[str, str] | None = None,
                           song_ids: Sequence[uuid.UUID] = ()) -> None:
    """Announce which songs the rig receives (pairing it first if the library does not know
    it); every choice is a new event, so each one is carried out."""
    await gateway.bus.publish(RigSelectionChanged(
        event_id=event_id("rig.selection_changed", device_id, 0, uuid.uuid4()),
        device_id=device_id, name=name, addresses=tuple(addresses), mode=mode,
        search=search or {}, song_ids=tuple(song_ids)))
