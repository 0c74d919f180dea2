"""What the gateway does for custom content and rigs: store an upload and announce it, ask for a
deletion, announce a rig's selection. It writes nothing else: the pipeline does the rest."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable, Sequence

import anyio

from services.gateway.deps import Gateway
from services.gateway.intake import UploadRejected, store_body
from shared.custom_content import ACCEPTED, extension_of, safe_filename
from shared.events import (
    CustomContentDeleted,
    CustomContentUploaded,
    RigSelectionChanged,
)

KINDS = {"backgrounds": "background", "colors": "color", "highways": "highway"}
MAX_CUSTOM_BYTES = 1024**3
CHOOSE_A_FILE = "Choose a file to upload."


async def receive_custom(gateway: Gateway, kind: str, body: AsyncIterator[bytes],
                         content_type: str) -> tuple[uuid.UUID, str]:
    """Stream the one file of a multipart body into the uploads bucket and announce it; the
    new item's id and the file's name. UploadRejected says why nothing was stored."""
    content_id = uuid.uuid4()
    bucket, prefix = gateway.settings.uploads_bucket, f"custom/{content_id}"
    limit = min(MAX_CUSTOM_BYTES, gateway.settings.max_upload_bytes)
    named: list[str] = []  # as the client named the file, for the library to show
    [stored] = await store_body(
        body, content_type=content_type, filename=None, store=gateway.store, bucket=bucket,
        prefix=prefix, max_bytes=limit, turns=gateway.large_file_turns,
        name_file=_checked_name(kind, named), max_files=1)
    if stored.size == 0:
        await anyio.to_thread.run_sync(gateway.store.delete, bucket, stored.key)
        raise UploadRejected(CHOOSE_A_FILE)
    await gateway.announce(CustomContentUploaded.about(
        content_id, kind, bucket=bucket, key=stored.key, filename=named[0], size=stored.size))
    return content_id, named[0]


def _checked_name(kind: str, named: list[str]) -> Callable[[str | None], str]:
    """The stored name of a file the client calls `filename`, refused unless `kind` takes it."""
    def checked(filename: str | None) -> str:
        if not filename:
            raise UploadRejected(CHOOSE_A_FILE)
        name = safe_filename(filename)
        if extension_of(name) not in ACCEPTED[kind]:
            allowed = ", ".join(f".{e}" for e in ACCEPTED[kind])
            raise UploadRejected(f"A {kind} must be one of {allowed}.")
        named.append(filename.replace("\\", "/").rsplit("/", 1)[-1])
        return name

    return checked


async def request_custom_delete(gateway: Gateway, content_id: uuid.UUID, kind: str) -> None:
    await gateway.announce(CustomContentDeleted.about(content_id, kind))


async def choose_selection(gateway: Gateway, device_id: str, *, name: str = "",
                           addresses: Sequence[str] = (), mode: str = "all",
                           search: dict[str, str] | None = None,
                           song_ids: Sequence[uuid.UUID] = (), versions: str = "every",
                           chosen_versions: Sequence[uuid.UUID] = (),
                           setlist_id: uuid.UUID | None = None) -> None:
    """Announce which songs the rig receives (pairing it first if the library does not know
    it); every choice is a new event, so each one is carried out."""
    await gateway.announce(RigSelectionChanged.chosen(
        device_id, name=name, addresses=tuple(addresses), mode=mode,
        search=search or {}, song_ids=tuple(song_ids), versions=versions,
        chosen_versions=tuple(chosen_versions), setlist_id=setlist_id))
