"""One song's page: art, metadata, parts, the notes-per-second graph, issues, files, edits."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from services.catalog import queries
from services.catalog.scan_columns import chart_rows
from services.gateway.deps import Gateway
from services.gateway.guards import may_browse, require_admin
from services.gateway.routes.downloads import song_and_manifest
from services.gateway.routes.rendering import DRUM_TYPES, page
from services.gateway.routes.song_view import all_issues, nps_graph, peak_bars

EDITABLE = ("name", "artist", "album", "genre", "year", "charter")


@get("/songs/{song_id:uuid}", include_in_schema=False, guards=[may_browse])
async def song(request: Request, song_id: uuid.UUID, gateway: Gateway,
               edited: int | None = None) -> Template:
    details, manifest = await song_and_manifest(gateway, song_id)
    scan = details.get("metadata") or {}
    notes = scan.get("notesData") or {}
    ini = scan.get("metadata") or {}
    preview = ini.get("preview_start_time") or 0
    return await page(
        request, "song.html", song=details, scan=scan, notes=notes, ini=ini,
        parts=chart_rows(scan), graph=nps_graph(notes), peaks=peak_bars(notes),
        issues=all_issues(scan), files=manifest.files, has_art=bool(scan.get("albumArt")),
        has_audio=bool(scan.get("audioFiles")), preview_seconds=max(0, preview) / 1000,
        drum_type=DRUM_TYPES.get(notes.get("drumTypeName") or "", ""), editable=EDITABLE,
        edited=edited, sections=notes.get("sectionCount") or 0)


class EditForm(BaseModel):
    name: str = Field(default="", max_length=300)
    artist: str = Field(default="", max_length=300)
    album: str = Field(default="", max_length=300)
    genre: str = Field(default="", max_length=300)
    year: str = Field(default="", max_length=50)
    charter: str = Field(default="", max_length=300)


@post("/songs/{song_id:uuid}/edit", include_in_schema=False, guards=[require_admin])
async def edit(song_id: uuid.UUID, gateway: Gateway,
               data: Annotated[EditForm, Body(media_type=RequestEncodingType.URL_ENCODED)]
               ) -> Redirect:
    """Only the fields that changed go to the pipeline, as a new revision of song.ini."""
    current = await gateway.read(queries.song_details, song_id)
    if current is None:
        raise NotFoundException(f"No song {song_id}.")
    changes = {}
    for key in EDITABLE:
        value = " ".join(getattr(data, key).split())  # one line: song.ini has no multi-line
        if value != (current.get(key) or ""):
            changes[key] = value or None
    if not changes:
        return Redirect(f"/songs/{song_id}", status_code=303)
    revision = await gateway.request_edit(song_id, changes)
    return Redirect(f"/songs/{song_id}?edited={revision}", status_code=303)
