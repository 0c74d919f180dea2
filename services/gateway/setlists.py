"""The gateway's setlists: who may read and change which (their owner, and admins), each change
written together with its `setlist.changed` announcement in one transaction (the statements are
`shared.persistence.setlists`', the tables' one writer), sharing by link, and the downloads:
Clone Hero's `.setlist` file and a zip of the songs."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Sequence
from typing import Any

import anyio
from litestar.exceptions import NotFoundException
from litestar.response import Response, Stream
from pydantic import Field

from services.gateway.answers import Answer
from services.gateway.deps import Gateway
from services.gateway.song_files import attachment, many_as_zip, song_store
from services.gateway.tokens import Principal
from services.gateway.upload_rows import PUBLISHER
from shared import outbox
from shared.events import SetlistChanged
from shared.persistence import setlists
from shared.persistence.db import transaction
from shared.persistence.setlists import SetlistSummary, SetlistView
from shared.setlist_export import setlist_file

MAX_SONGS = 1000
Write = Callable[..., int | None]


def may_change(principal: Principal, owner: str) -> bool:
    return principal.name == owner or principal.may("admin")


async def mine(gateway: Gateway, principal: Principal) -> list[SetlistSummary]:
    """The caller's setlists; an admin's list holds everyone's."""
    owner = None if principal.may("admin") else principal.name
    return await gateway.read(setlists.summaries, owner)


async def readable(gateway: Gateway, principal: Principal, setlist_id: uuid.UUID) -> SetlistView:
    """The setlist, if the caller may see it by id; NotFoundException otherwise (another's
    setlist is not told apart from a missing one)."""
    view = await gateway.read(setlists.setlist, setlist_id)
    if view is None or not may_change(principal, view.owner):
        raise NotFoundException(f"No setlist {setlist_id}.")
    return view


async def shared(gateway: Gateway, token: str) -> SetlistView:
    view = await gateway.read(setlists.shared_setlist, token)
    if view is None:
        raise NotFoundException("No setlist is shared under this link.")
    return view


async def create(gateway: Gateway, principal: Principal, name: str,
                 song_ids: Sequence[uuid.UUID] = ()) -> uuid.UUID:
    setlist_id = uuid.uuid4()

    def run() -> None:
        with transaction(gateway.sessions) as session:
            version = setlists.create(session, setlist_id, name=name, owner=principal.name,
                                      song_ids=song_ids)
            outbox.add(session, [SetlistChanged.about(setlist_id, version)], PUBLISHER)

    await anyio.to_thread.run_sync(run)
    gateway.relay.wake()
    return setlist_id


async def change(gateway: Gateway, principal: Principal, setlist_id: uuid.UUID, write: Write,
                 *args: Any) -> int:
    """Apply `write(session, setlist_id, *args)` and announce it; its new version.
    NotFoundException when the caller may not change the setlist or it is gone; the writer's
    own errors (OrderMismatch) pass through, with nothing written."""
    deleting = write is setlists.remove

    def run() -> int | None:
        with transaction(gateway.sessions) as session:
            owner = setlists.owner_for_change(session, setlist_id)
            if owner is None or not may_change(principal, owner):
                return None
            version = write(session, setlist_id, *args)
            if version is not None:
                event = SetlistChanged.about(setlist_id, version, deleted=deleting)
                outbox.add(session, [event], PUBLISHER)
            return version

    version = await anyio.to_thread.run_sync(run)
    if version is None:
        raise NotFoundException(f"No setlist {setlist_id}.")
    gateway.relay.wake()
    return version


async def share(gateway: Gateway, principal: Principal, setlist_id: uuid.UUID,
                sharing: bool) -> str | None:
    """Share the setlist under a new link token (or stop sharing it); the token."""
    token = secrets.token_urlsafe(24) if sharing else None
    await change(gateway, principal, setlist_id, setlists.set_share_token, token)
    return token


def share_path(token: str) -> str:
    return f"/shared/setlists/{token}"


async def setlist_download(gateway: Gateway, view: SetlistView) -> Response[bytes]:
    """The `.setlist` file Clone Hero reads from its Setlists folder."""
    data = await anyio.to_thread.run_sync(setlist_file, song_store(gateway), view.songs)
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": attachment(f"{view.name}.setlist")})


async def zip_download(gateway: Gateway, view: SetlistView) -> Stream:
    return await many_as_zip(gateway, [song.id for song in view.songs], f"{view.name}.zip")


class SetlistSongAnswer(Answer):
    id: uuid.UUID
    name: str
    artist: str
    charter: str | None


class SetlistAnswer(Answer):
    """A setlist and its songs in order."""

    id: uuid.UUID
    name: str
    owner: str = Field(description="Who made it (a username or an API token's name)")
    version: int = Field(description="Grows with every change")
    share_url: str | None = Field(description="Its read-only link, when shared")
    songs: list[SetlistSongAnswer]


def as_json(view: SetlistView, *, with_token: bool = True) -> SetlistAnswer:
    return SetlistAnswer(
        id=view.id, name=view.name, owner=view.owner, version=view.version,
        share_url=share_path(view.share_token) if with_token and view.share_token else None,
        songs=[SetlistSongAnswer(id=song.id, name=song.title, artist=song.artist,
                                 charter=song.charter) for song in view.songs])
