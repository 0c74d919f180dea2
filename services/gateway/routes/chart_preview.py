"""A song's chart preview: its chart read from the store and drawn as a highway (see
rendering.chart_preview).

The song page and a finished generation load it with htmx as a fragment; without script its
links open the same preview as a page of its own.
"""

from __future__ import annotations

import uuid

import anyio
from litestar import Request, get
from litestar.params import Parameter
from litestar.response import Template

from services.gateway.deps import Gateway
from services.gateway.guards import may_browse
from services.gateway.rendering.chart_preview import preview
from services.gateway.rendering.templates import page
from services.gateway.song_files import song_and_manifest, song_store

LATEST_START = 24 * 3600.0


@get("/songs/{song_id:uuid}/chart-preview", include_in_schema=False, guards=[may_browse])
async def chart_preview(request: Request, song_id: uuid.UUID, gateway: Gateway,
                        instrument: str | None = Parameter(default=None, max_length=20),
                        difficulty: str | None = Parameter(default=None, max_length=10),
                        at: float | None = Parameter(default=None, ge=0, le=LATEST_START)
                        ) -> Template:
    song, manifest = await song_and_manifest(gateway, song_id)
    files = song_store(gateway).files(manifest)
    view = await anyio.to_thread.run_sync(preview, files, f"/songs/{song_id}/chart-preview",
                                          instrument, difficulty, at)
    template = "_chart_preview.html" if request.headers.get("hx-request") else "chart_preview.html"
    return await page(request, template, song=song, preview=view)
