"""Setlist pages: one's setlists, one setlist with its songs to reorder (buttons that work from
the keyboard and without script; drag and drop with it), songs added from the library's
selection, sharing by a read-only link, and the downloads."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Response, Stream, Template
from pydantic import BaseModel, Field, field_validator

from services.gateway import setlists as setlist_ops
from services.gateway.deps import Gateway
from services.gateway.guards import may_browse, principal_of, require_signed_in
from services.gateway.rendering.templates import page
from services.gateway.routes.setlists_api import NAME
from shared.persistence import setlists


class NameForm(BaseModel):
    name: str = NAME


class AddForm(BaseModel):
    """The library's selection, for a setlist of one's own or a new one named `new_name`."""

    song: list[uuid.UUID] = Field(default_factory=list, max_length=setlist_ops.MAX_SONGS)
    setlist: str = Field(default="new", pattern=r"^(new|[0-9a-fA-F-]{36})$")
    new_name: str = Field(default="", max_length=200)

    @field_validator("song", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class SongForm(BaseModel):
    song: uuid.UUID
    direction: str = Field(default="", pattern="^(up|down|)$")


class ShareForm(BaseModel):
    action: str = Field(pattern="^(share|unshare)$")


def _form(model: type[BaseModel]):
    return Annotated[model, Body(media_type=RequestEncodingType.URL_ENCODED)]


def _to(setlist_id: uuid.UUID, anchor: str = "") -> Redirect:
    return Redirect(f"/setlists/{setlist_id}{anchor}", status_code=303)


@get("/setlists", include_in_schema=False, guards=[require_signed_in])
async def setlists_page(request: Request, gateway: Gateway) -> Template:
    listed = await setlist_ops.mine(gateway, principal_of(request))
    return await page(request, "setlists.html", active="setlists", setlists=listed)


@post("/setlists", include_in_schema=False, guards=[require_signed_in])
async def create_setlist(request: Request, gateway: Gateway,
                         data: _form(NameForm)) -> Redirect:
    return _to(await setlist_ops.create(gateway, principal_of(request), data.name))


@post("/setlists/add", include_in_schema=False, guards=[require_signed_in])
async def add_to_setlist(request: Request, gateway: Gateway, data: _form(AddForm)) -> Redirect:
    """From the library: the selected songs appended to a setlist, or to a new one (when a
    name for it is typed, or "new" chosen)."""
    principal = principal_of(request)
    if data.setlist == "new" or data.new_name.strip():
        name = NameForm(name=data.new_name.strip() or "New setlist").name
        return _to(await setlist_ops.create(gateway, principal, name, data.song))
    setlist_id = uuid.UUID(data.setlist)
    if data.song:
        await setlist_ops.change(gateway, principal, setlist_id, setlists.add_songs, data.song)
    return _to(setlist_id)


@get("/setlists/{setlist_id:uuid}", include_in_schema=False, guards=[require_signed_in])
async def setlist_page(request: Request, gateway: Gateway, setlist_id: uuid.UUID) -> Template:
    view = await setlist_ops.readable(gateway, principal_of(request), setlist_id)
    return await page(request, "setlist.html", active="setlists", setlist=view, editable=True,
                      base=f"/setlists/{setlist_id}")


@post("/setlists/{setlist_id:uuid}/rename", include_in_schema=False,
      guards=[require_signed_in])
async def rename_setlist(request: Request, gateway: Gateway, setlist_id: uuid.UUID,
                         data: _form(NameForm)) -> Redirect:
    await setlist_ops.change(gateway, principal_of(request), setlist_id, setlists.rename,
                             data.name)
    return _to(setlist_id)


@post("/setlists/{setlist_id:uuid}/delete", include_in_schema=False,
      guards=[require_signed_in])
async def delete_setlist(request: Request, gateway: Gateway, setlist_id: uuid.UUID) -> Redirect:
    await setlist_ops.change(gateway, principal_of(request), setlist_id, setlists.remove)
    return Redirect("/setlists", status_code=303)


@post("/setlists/{setlist_id:uuid}/move", include_in_schema=False, guards=[require_signed_in])
async def move_song(request: Request, gateway: Gateway, setlist_id: uuid.UUID,
                    data: _form(SongForm)) -> Redirect:
    """One song a place up or down (the page's buttons when no script runs)."""
    principal = principal_of(request)
    order = [song.id for song in (await setlist_ops.readable(gateway, principal,
                                                             setlist_id)).songs]
    if data.song in order:
        at = order.index(data.song)
        to = at - 1 if data.direction == "up" else at + 1
        if 0 <= to < len(order):
            order[at], order[to] = order[to], order[at]
            await setlist_ops.change(gateway, principal, setlist_id, setlists.reorder, order)
    return _to(setlist_id, f"#song-{data.song}")


@post("/setlists/{setlist_id:uuid}/remove", include_in_schema=False,
      guards=[require_signed_in])
async def remove_song(request: Request, gateway: Gateway, setlist_id: uuid.UUID,
                      data: _form(SongForm)) -> Redirect:
    await setlist_ops.change(gateway, principal_of(request), setlist_id, setlists.remove_song,
                             data.song)
    return _to(setlist_id)


@post("/setlists/{setlist_id:uuid}/share", include_in_schema=False,
      guards=[require_signed_in])
async def share_setlist(request: Request, gateway: Gateway, setlist_id: uuid.UUID,
                        data: _form(ShareForm)) -> Redirect:
    await setlist_ops.share(gateway, principal_of(request), setlist_id, data.action == "share")
    return _to(setlist_id, "#share")


@get("/setlists/{setlist_id:uuid}/download.setlist", include_in_schema=False,
     guards=[require_signed_in])
async def download_setlist(request: Request, gateway: Gateway,
                           setlist_id: uuid.UUID) -> Response[bytes]:
    view = await setlist_ops.readable(gateway, principal_of(request), setlist_id)
    return await setlist_ops.setlist_download(gateway, view)


@get("/setlists/{setlist_id:uuid}/download.zip", include_in_schema=False,
     guards=[require_signed_in])
async def download_setlist_zip(request: Request, gateway: Gateway,
                               setlist_id: uuid.UUID) -> Stream:
    view = await setlist_ops.readable(gateway, principal_of(request), setlist_id)
    return await setlist_ops.zip_download(gateway, view)


@get("/shared/setlists/{token:str}", include_in_schema=False, guards=[may_browse])
async def shared_setlist(request: Request, gateway: Gateway, token: str) -> Template:
    """A setlist shared by link: read-only, for whoever may browse the library."""
    view = await setlist_ops.shared(gateway, token)
    return await page(request, "setlist.html", active="setlists", setlist=view, editable=False,
                      base=setlist_ops.share_path(token))


@get("/shared/setlists/{token:str}/download.setlist", include_in_schema=False,
     guards=[may_browse])
async def shared_setlist_file(gateway: Gateway, token: str) -> Response[bytes]:
    return await setlist_ops.setlist_download(gateway, await setlist_ops.shared(gateway, token))


@get("/shared/setlists/{token:str}/download.zip", include_in_schema=False, guards=[may_browse])
async def shared_setlist_zip(gateway: Gateway, token: str) -> Stream:
    return await setlist_ops.zip_download(gateway, await setlist_ops.shared(gateway, token))
