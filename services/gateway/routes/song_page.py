"""One song's page: art, metadata, parts, the notes-per-second graph, issues, files, its
versions and the rigs that get each, edits, and lower difficulties generated from Expert (or
taken out again)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from litestar import Request, get, post
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body
from litestar.response import Redirect, Template
from pydantic import BaseModel, Field

from services.gateway.deps import Gateway
from services.gateway.guards import may_browse, require_admin
from services.gateway.rendering.difficulties import difficulty_offer
from services.gateway.rendering.song_view import all_issues, nps_graph, peak_bars
from services.gateway.rendering.templates import DRUM_TYPES, page
from services.gateway.song_files import song_and_manifest
from shared.persistence import queries
from shared.persistence.scan_columns import chart_rows
from shared.persistence.version_reads import song_versions

EDITABLE = ("name", "artist", "album", "genre", "year", "charter")


@get("/songs/{song_id:uuid}", include_in_schema=False, guards=[may_browse])
async def song(request: Request, song_id: uuid.UUID, gateway: Gateway,
               edited: int | None = None, asked: str | None = None) -> Template:
    details, manifest = await song_and_manifest(gateway, song_id)
    scan = details.metadata
    notes = scan.get("notesData") or {}
    ini = scan.get("metadata") or {}
    preview = ini.get("preview_start_time") or 0
    versions = await gateway.read(song_versions, song_id)
    return await page(
        request, "song.html", song=details, scan=scan, notes=notes, ini=ini,
        parts=chart_rows(scan), graph=nps_graph(notes), peaks=peak_bars(notes),
        issues=all_issues(scan), files=manifest.files, has_art=bool(scan.get("albumArt")),
        has_audio=bool(scan.get("audioFiles")), preview_seconds=max(0, preview) / 1000,
        drum_type=DRUM_TYPES.get(notes.get("drumTypeName") or "", ""), editable=EDITABLE,
        edited=edited, asked=asked, sections=notes.get("sectionCount") or 0,
        lower_difficulties=difficulty_offer(scan), versions=versions)


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
        if value != (getattr(current, key) or ""):
            changes[key] = value or None
    if not changes:
        return Redirect(f"/songs/{song_id}", status_code=303)
    revision = await gateway.request_edit(song_id, changes)
    return Redirect(f"/songs/{song_id}?edited={revision}", status_code=303)


class DifficultiesForm(BaseModel):
    action: Literal["generate", "remove"]


@post("/songs/{song_id:uuid}/difficulties", include_in_schema=False, guards=[require_admin])
async def difficulties(song_id: uuid.UUID, gateway: Gateway,
                       data: Annotated[DifficultiesForm,
                                       Body(media_type=RequestEncodingType.URL_ENCODED)]
                       ) -> Redirect:
    """Generate Hard, Medium and Easy from Expert, or remove the generated ones: a new
    revision through the pipeline; a song with nothing to do comes back unchanged."""
    current = await gateway.read(queries.song_details, song_id)
    if current is None:
        raise NotFoundException(f"No song {song_id}.")
    if not difficulty_offer(current.metadata).allows(data.action):
        return Redirect(f"/songs/{song_id}?asked=nothing", status_code=303)
    revision = await gateway.request_edit(song_id, {}, data.action)
    return Redirect(f"/songs/{song_id}?edited={revision}&asked={data.action}", status_code=303)
