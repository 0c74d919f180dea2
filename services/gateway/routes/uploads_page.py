"""The upload page and each upload's live progress, polled by htmx as an HTML fragment."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from services.gateway.deps import Gateway
from services.gateway.guards import may_browse, require_uploader
from services.gateway.rendering.templates import page
from shared.persistence import queries
from shared.persistence.version_reads import new_versions

END_STATES = {"completed", "completed_with_errors", "failed"}


@get("/upload", include_in_schema=False, guards=[require_uploader])
async def upload_page(request: Request, gateway: Gateway) -> Template:
    uploads = await gateway.read(queries.recent_uploads, 5)
    return await page(request, "upload.html", active="upload", uploads=uploads,
                      max_bytes=gateway.settings.max_upload_bytes)


async def _upload(gateway: Gateway, upload_id: uuid.UUID) -> dict[str, Any]:
    """The upload's details and, for each published song that is a new version of one the
    library had, which song and which rigs get it."""
    details = await gateway.read(queries.upload_details, upload_id)
    if details is None:
        raise NotFoundException(f"No upload {upload_id}.")
    published = [song.song_id for song in details.songs if song.stage == "published"]
    newer = await gateway.read(new_versions, published) if published else {}
    return {"upload": details, "new_versions": newer}


@get("/uploads/{upload_id:uuid}", include_in_schema=False, guards=[may_browse])
async def upload_detail(request: Request, upload_id: uuid.UUID, gateway: Gateway) -> Template:
    return await page(request, "upload_detail.html", active="upload",
                      **await _upload(gateway, upload_id), end_states=END_STATES)


@get("/uploads/{upload_id:uuid}/status", include_in_schema=False, guards=[may_browse])
async def upload_status(request: Request, upload_id: uuid.UUID, gateway: Gateway) -> Template:
    """The fragment keeps polling itself until the upload reaches an end state."""
    return await page(request, "_upload_status.html", **await _upload(gateway, upload_id),
                      end_states=END_STATES)
