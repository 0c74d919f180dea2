"""The sync page (admins): the rigs the library's Syncthing knows, how complete each one is,
pairing a new rig, and which songs (all, a saved search, hand-picked songs or a setlist's, and
which versions of each) each one receives."""

from __future__ import annotations

import re
import uuid
from typing import Annotated
from urllib.parse import parse_qsl

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Template
from pydantic import BaseModel, Field, field_validator

from services.gateway.custom_intake import choose_selection
from services.gateway.deps import Gateway
from services.gateway.guards import require_admin
from services.gateway.rendering.templates import page
from services.gateway.rigs import rig_overview
from shared.persistence import setlists
from shared.persistence.library_query import BadLibraryQuery, LibraryQuery
from shared.persistence.rig_selections import all_selections, selection_of

DEVICE_ID = r"^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$"
ADDRESS = r"^tcp://[A-Za-z0-9.\-]+:\d{1,5}$|^tcp://\[[0-9A-Fa-f:.]+\]:\d{1,5}$"
_SONG_ID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


class PairForm(BaseModel):
    device_id: str = Field(pattern=DEVICE_ID, max_length=63)
    name: str = Field(default="", max_length=64)
    address: str = Field(pattern=ADDRESS, max_length=300)


class SelectionForm(BaseModel):
    device_id: str = Field(pattern=DEVICE_ID, max_length=63)
    name: str = Field(default="", max_length=64)
    mode: str = Field(pattern="^(all|search|songs|setlist)$")
    search: str = Field(default="", max_length=2000)
    songs: str = Field(default="", max_length=200_000)
    versions: str = Field(default="every", pattern="^(every|newest|chosen)$")
    setlist: uuid.UUID | None = None

    @field_validator("setlist", mode="before")
    @classmethod
    def _none_when_blank(cls, value: object) -> object:
        return value or None


def _form(model: type[BaseModel]):
    return Annotated[model, Body(media_type=RequestEncodingType.URL_ENCODED)]


async def _sync_page(request: Request, gateway: Gateway, message=None,
                     status_code: int = 200) -> Template:
    overview = await rig_overview(gateway.settings)
    selections = await gateway.read(all_selections)
    listed = await gateway.read(setlists.summaries)
    return await page(request, "sync.html", active="sync", overview=overview,
                      selections=selections, setlists=listed, message=message,
                      status_code=status_code)


@get("/sync", include_in_schema=False, guards=[require_admin])
async def sync_page(request: Request, gateway: Gateway) -> Template:
    return await _sync_page(request, gateway)


@post("/sync/rigs", include_in_schema=False, guards=[require_admin], status_code=200)
async def pair_rig(request: Request, gateway: Gateway, data: _form(PairForm)) -> Template:
    await choose_selection(gateway, data.device_id, name=data.name, addresses=[data.address])
    return await _sync_page(request, gateway, ("ok", f"Pairing {data.name or data.device_id}: "
                                               "it receives every song until you choose."))


@post("/sync/selection", include_in_schema=False, guards=[require_admin], status_code=200)
async def choose(request: Request, gateway: Gateway, data: _form(SelectionForm)) -> Template:
    try:
        search, songs = _search_of(data.search), _songs_of(data.songs)
    except BadLibraryQuery as error:
        return await _sync_page(request, gateway, ("error", str(error)), 400)
    if data.mode == "songs" and not songs:
        return await _sync_page(request, gateway, ("error", "Pick at least one song."), 400)
    if data.mode == "setlist" and data.setlist is None:
        return await _sync_page(request, gateway, ("error", "Pick a setlist."), 400)
    current = await gateway.read(selection_of, data.device_id)
    await choose_selection(gateway, data.device_id, name=data.name, mode=data.mode,
                           search=search if data.mode == "search" else {},
                           song_ids=songs if data.mode == "songs" else (),
                           setlist_id=data.setlist if data.mode == "setlist" else None,
                           versions=data.versions,
                           chosen_versions=current.chosen_versions if current else ())
    return await _sync_page(request, gateway, ("ok", "Saved; the rig follows at its next "
                                               "sync. Rescan songs in Clone Hero then."))


def _search_of(text: str) -> dict[str, str]:
    """A library search from its URL (or just the part after `?`), checked."""
    query = text.strip().partition("?")[2] if "?" in text else text.strip()
    params = {k: v for k, v in parse_qsl(query) if k not in {"page", "per_page"}}
    return LibraryQuery.from_params(params).to_params()


def _songs_of(text: str) -> list[uuid.UUID]:
    return list(dict.fromkeys(uuid.UUID(match) for match in _SONG_ID.findall(text)))
