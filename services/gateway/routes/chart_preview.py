"""A song's chart preview: its chart read from the store and drawn as a highway (see highway).

The song page and a finished generation load it with htmx as a fragment; without script its
links open the same preview as a page of its own.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import anyio
from litestar import Request, get
from litestar.params import Parameter
from litestar.response import Template
from markupsafe import Markup

from services.gateway.deps import Gateway
from services.gateway.guards import may_browse
from services.gateway.routes import highway
from services.gateway.routes.downloads import song_and_manifest, song_store
from services.gateway.routes.rendering import page
from shared.songs.errors import SongFormatError
from shared.songs.events import DIFFICULTIES

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


def preview(files: Mapping[str, bytes], url: str, instrument: str | None = None,
            difficulty: str | None = None, at: float | None = None) -> dict[str, Any]:
    """What the preview template shows: the SVG and the links to other parts and times (each
    link keeps what it does not change), or an `error` to show instead."""
    try:
        chart = highway.read_chart(files)
    except (SongFormatError, ArithmeticError, ValueError):
        return {"error": "The chart cannot be read, so there is nothing to draw."}
    available = highway.parts(chart) if chart else {}
    if not available:
        return {"error": "This chart has no guitar, bass, keys or drums part to draw."}
    instrument = instrument if instrument in available else next(iter(available))
    difficulty = difficulty if difficulty in available[instrument] else available[instrument][0]
    if at is None or not math.isfinite(at):
        first = highway.first_note_seconds(chart, instrument, difficulty)
        at = first // highway.COLUMN_SECONDS * highway.COLUMN_SECONDS
    way = highway.highway(chart, instrument, difficulty, at)
    last = highway.last_note_seconds(chart, instrument, difficulty)

    def link(name: str, level: str, start: float) -> str:
        return f"{url}?{urlencode({'instrument': name, 'difficulty': level, 'at': f'{start:g}'})}"

    window = highway.WINDOW_SECONDS
    return {
        "svg": Markup(highway.draw(way)),
        "label": way.label,
        "instruments": [{"name": name, "url": link(name, difficulty if difficulty in levels
                                                   else levels[0], at),
                         "current": name == instrument} for name, levels in available.items()],
        "difficulties": [{"name": level, "url": link(instrument, level, at),
                          "current": level == difficulty}
                         for level in DIFFICULTIES if level in available[instrument]],
        "earlier": link(instrument, difficulty, max(0.0, at - window)) if at > 0 else None,
        "later": link(instrument, difficulty, at + window) if at + window <= last else None,
        "span": f"{highway.mm_ss(at)} to {highway.mm_ss(at + window)}",
    }
