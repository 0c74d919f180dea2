"""A song's versions, as an admin acts on them from its page: split it out of its group, link
it to another song's group, or give a rig this version."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from litestar import post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import Body
from litestar.response import Redirect
from pydantic import BaseModel, Field

from services.gateway import version_actions
from services.gateway.deps import Gateway
from services.gateway.guards import require_admin
from services.gateway.routes.sync_page import DEVICE_ID

_SONG_ID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


class LinkForm(BaseModel):
    other: str = Field(max_length=2000, description="The other song's id or page address.")


class RigForm(BaseModel):
    device_id: str = Field(pattern=DEVICE_ID, max_length=63)


def _form(model: type[BaseModel]):
    return Annotated[model, Body(media_type=RequestEncodingType.URL_ENCODED)]


def _back(song_id: uuid.UUID) -> Redirect:
    return Redirect(f"/songs/{song_id}#versions", status_code=303)


@post("/songs/{song_id:uuid}/versions/split", include_in_schema=False,
      guards=[require_admin])
async def split_version(song_id: uuid.UUID, gateway: Gateway) -> Redirect:
    try:
        await version_actions.split(gateway, song_id)
    except version_actions.UnknownSong as error:
        raise NotFoundException(f"No song {song_id}.") from error
    return _back(song_id)


@post("/songs/{song_id:uuid}/versions/link", include_in_schema=False,
      guards=[require_admin])
async def link_version(song_id: uuid.UUID, gateway: Gateway,
                       data: _form(LinkForm)) -> Redirect:
    found = _SONG_ID.search(data.other)
    if found is None:
        raise ValidationException("Give the other song's id or the address of its page.")
    try:
        await version_actions.link(gateway, song_id, uuid.UUID(found.group()))
    except version_actions.UnknownSong as error:
        raise NotFoundException(f"No song {error}.") from error
    return _back(song_id)


@post("/songs/{song_id:uuid}/versions/rig", include_in_schema=False,
      guards=[require_admin])
async def version_for_rig(song_id: uuid.UUID, gateway: Gateway,
                          data: _form(RigForm)) -> Redirect:
    if not await version_actions.choose_for_rig(gateway, song_id, data.device_id):
        raise NotFoundException(f"No rig {data.device_id}.")
    return _back(song_id)
