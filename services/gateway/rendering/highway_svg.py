"""A `Highway` (see highway) drawn as SVG text: presentation attributes only, no script.

Time runs up each column, as on the game's highway (the strikeline is at the bottom); the
columns read left to right.
"""

from __future__ import annotations

import math
from html import escape

from services.gateway.rendering.highway import COLUMN_SECONDS, Gem, Highway

LANE = 24                 # px per lane
GUTTER = 34               # px left of each column, for measure numbers
PX_PER_SECOND = 120
TOP, BOTTOM = 10, 22      # px above and below the columns (time labels go below)
GEM_HEIGHT = 8

STAR_POWER_COLOUR = "#7fdcff"
SECTION_COLOUR = "#ffd23f"
INK, PAPER, BEAT, MEASURE, MUTED = "#0d0f14", "#171a22", "#2c3142", "#596079", "#a3a8b8"


def draw(way: Highway) -> str:
    """The highway as SVG text: presentation attributes only (no style, no script, no links),
    every chart-given text escaped."""
    lanes = len(way.lanes)
    width = GUTTER + lanes * LANE
    columns = max(1, math.ceil((way.end - way.start) / COLUMN_SECONDS - 1e-9))
    height = TOP + COLUMN_SECONDS * PX_PER_SECOND + BOTTOM
    total = columns * width + 8
    notes = sum(1 for g in way.gems if way.start <= g.seconds < way.end)
    label = (f"{way.label}, {mm_ss(way.start)} to {mm_ss(way.end)}: "
             f"{notes} note{'' if notes == 1 else 's'}")
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="highway" role="img" '
           f'width="{total}" height="{height:.0f}" viewBox="0 0 {total} {height:.0f}" '
           f'aria-label="{escape(label)}">', f"<title>{escape(label)}</title>"]
    for column in range(columns):
        out += _column(way, column, column * width + GUTTER)
    out.append("</svg>")
    return "\n".join(out)


def gem_position(way: Highway, gem: Gem) -> tuple[float, float]:
    """(x of the lane's centre, y of the gem's centre) in the drawing; a gem across the lanes
    is centred on the highway."""
    column, y = _place(way, gem.seconds)
    left = column * (GUTTER + len(way.lanes) * LANE) + GUTTER
    lane_centre = (len(way.lanes) / 2 if gem.lane is None else gem.lane + 0.5) * LANE
    return left + lane_centre, y


def _column(way: Highway, column: int, left: float) -> list[str]:
    lanes, bottom = len(way.lanes), TOP + COLUMN_SECONDS * PX_PER_SECOND
    begin = way.start + column * COLUMN_SECONDS
    finish = begin + COLUMN_SECONDS
    right = left + lanes * LANE
    out = [f'<rect x="{left}" y="{TOP}" width="{lanes * LANE}" '
           f'height="{COLUMN_SECONDS * PX_PER_SECOND:.0f}" fill="{PAPER}"/>']
    for start, end in way.star_power:
        low, high = max(start, begin), min(end, finish)
        if low < high:
            out.append(f'<rect x="{left}" y="{_y(high - begin):.1f}" width="{lanes * LANE}" '
                       f'height="{(high - low) * PX_PER_SECOND:.1f}" fill="{STAR_POWER_COLOUR}" '
                       f'fill-opacity="0.16"/>')
    out += [f'<line x1="{left + lane * LANE}" x2="{left + lane * LANE}" y1="{TOP}" '
            f'y2="{bottom:.0f}" stroke="{BEAT}" stroke-width="1"/>' for lane in range(1, lanes)]
    for line in way.lines:
        if begin <= line.seconds < finish:
            y = _y(line.seconds - begin)
            if line.measure is None:
                out.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" '
                           f'stroke="{BEAT}" stroke-width="1"/>')
            else:
                out.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" '
                           f'stroke="{MEASURE}" stroke-width="2"/>')
                out.append(f'<text x="{left - 4}" y="{y + 3:.1f}" fill="{MUTED}" font-size="9" '
                           f'text-anchor="end">{line.measure}</text>')
    out += _sustains(way, left, begin, finish)
    for gem in sorted(way.gems, key=lambda g: g.lane is not None):  # bars under the gems
        if begin <= gem.seconds < finish and gem.seconds >= way.start:
            out.append(_gem(way, gem, left, _y(gem.seconds - begin)))
    for seconds, name in way.sections:
        if begin <= seconds < finish:
            y = _y(seconds - begin)
            short = name if len(name) <= 18 else name[:17] + "…"
            out.append(f'<line x1="{left}" x2="{right}" y1="{y:.1f}" y2="{y:.1f}" '
                       f'stroke="{SECTION_COLOUR}" stroke-width="1.5" stroke-dasharray="4 3"/>')
            out.append(f'<text x="{left + 2}" y="{y - 4:.1f}" fill="{SECTION_COLOUR}" '
                       f'font-size="10" stroke="{INK}" stroke-width="3" paint-order="stroke">'
                       f'<title>{escape(name)}</title>{escape(short)}</text>')
    out.append(f'<text x="{left + lanes * LANE / 2}" y="{bottom + 15:.0f}" fill="{MUTED}" '
               f'font-size="10" text-anchor="middle">{mm_ss(begin)}</text>')
    return out


def _sustains(way: Highway, left: float, begin: float, finish: float) -> list[str]:
    out = []
    for gem in way.gems:
        low, high = max(gem.seconds, begin, way.start), min(gem.seconds + gem.sustain, finish)
        if gem.sustain <= 0 or low >= high:
            continue
        if gem.lane is None:
            x, width, colour, opacity = left + 2, len(way.lanes) * LANE - 4, way.across, 0.35
        else:
            x, width = left + gem.lane * LANE + LANE / 2 - 3, 6
            colour, opacity = way.lanes[gem.lane], 0.8
        out.append(f'<rect class="sustain" x="{x:.1f}" y="{_y(high - begin):.1f}" '
                   f'width="{width}" height="{(high - low) * PX_PER_SECOND:.1f}" '
                   f'fill="{colour}" fill-opacity="{opacity}"/>')
    return out


def _gem(way: Highway, gem: Gem, left: float, y: float) -> str:
    if gem.lane is None:
        height = 4 if gem.look == "kick" else 6
        edge = ' stroke="#ffffff" stroke-width="1.5"' if gem.look == "hopo" else ""
        return (f'<rect class="gem {gem.look}" x="{left + 2}" y="{y - height / 2:.1f}" '
                f'width="{len(way.lanes) * LANE - 4}" height="{height}" rx="2" '
                f'fill="{way.across}"{edge}/>')
    colour = way.lanes[gem.lane]
    x = left + gem.lane * LANE
    if gem.look == "cymbal":
        centre, half = x + LANE / 2, LANE / 2 - 2
        points = (f"{centre - half:.1f},{y:.1f} {centre - half / 2:.1f},{y - 5:.1f} "
                  f"{centre + half / 2:.1f},{y - 5:.1f} {centre + half:.1f},{y:.1f} "
                  f"{centre + half / 2:.1f},{y + 5:.1f} {centre - half / 2:.1f},{y + 5:.1f}")
        return (f'<polygon class="gem cymbal" points="{points}" fill="{colour}" '
                f'stroke="{INK}" stroke-width="1"/>')
    fill, stroke, stroke_width = colour, INK, 1
    if gem.look == "hopo":
        stroke, stroke_width = "#ffffff", 1.5
    elif gem.look == "tap":
        fill, stroke, stroke_width = INK, colour, 2
    return (f'<rect class="gem {gem.look}" x="{x + 2}" y="{y - GEM_HEIGHT / 2:.1f}" '
            f'width="{LANE - 4}" height="{GEM_HEIGHT}" rx="4" fill="{fill}" stroke="{stroke}" '
            f'stroke-width="{stroke_width}"/>')


def _place(way: Highway, seconds: float) -> tuple[int, float]:
    column = max(0, min(int((seconds - way.start) // COLUMN_SECONDS),
                        math.ceil((way.end - way.start) / COLUMN_SECONDS) - 1))
    return column, _y(seconds - way.start - column * COLUMN_SECONDS)


def _y(into_column: float) -> float:
    """Height in the drawing of a moment `into_column` seconds after its column starts."""
    return TOP + (COLUMN_SECONDS - into_column) * PX_PER_SECOND


def mm_ss(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"
