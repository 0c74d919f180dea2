"""The chart preview's view: a song's files in, the SVG highway of one part and the links to
the other parts and times out as a `ChartPreview` (pure; the route reads the files and renders
the template)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from markupsafe import Markup

from services.gateway.rendering import highway, highway_svg
from shared.songs.errors import SongFormatError
from shared.songs.events import DIFFICULTIES
from shared.songs.scan import read_chart


@dataclass(frozen=True)
class PreviewLink:
    name: str
    url: str
    current: bool


@dataclass(frozen=True)
class ChartPreview:
    """One part's highway and the links to the others, or only an `error` to show."""

    error: str | None = None
    svg: Markup | None = None
    label: str = ""
    instruments: tuple[PreviewLink, ...] = ()
    difficulties: tuple[PreviewLink, ...] = ()
    earlier: str | None = None
    later: str | None = None
    span: str = ""


def preview(files: Mapping[str, bytes], url: str, instrument: str | None = None,
            difficulty: str | None = None, at: float | None = None) -> ChartPreview:
    """What the preview template shows: the SVG and the links to other parts and times (each
    link keeps what it does not change), or an `error` to show instead."""
    try:
        chart = read_chart(files)
    except (SongFormatError, ArithmeticError, ValueError):
        return ChartPreview(error="The chart cannot be read, so there is nothing to draw.")
    available = highway.parts(chart) if chart else {}
    if not available:
        return ChartPreview(error="This chart has no guitar, bass, keys or drums part to draw.")
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
    return ChartPreview(
        svg=Markup(highway_svg.draw(way)),
        label=way.label,
        instruments=tuple(
            PreviewLink(name, link(name, difficulty if difficulty in levels else levels[0], at),
                        name == instrument) for name, levels in available.items()),
        difficulties=tuple(PreviewLink(level, link(instrument, level, at), level == difficulty)
                           for level in DIFFICULTIES if level in available[instrument]),
        earlier=link(instrument, difficulty, max(0.0, at - window)) if at > 0 else None,
        later=link(instrument, difficulty, at + window) if at + window <= last else None,
        span=f"{highway_svg.mm_ss(at)} to {highway_svg.mm_ss(at + window)}",
    )
