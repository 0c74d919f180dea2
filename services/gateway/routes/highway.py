"""The chart preview: one part of a chart drawn by the server as an SVG highway, no script.

`read_chart` parses a song's files, `highway` picks what one part shows in a time window (pure
data) and `draw` turns that into SVG text. Time runs up each column, as on the game's highway
(the strikeline is at the bottom); the columns read left to right.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape

from shared.songs import events as ev
from shared.songs import folder
from shared.songs.chart import parse_chart
from shared.songs.ini import DEFAULT_METADATA, parse_ini, read_metadata
from shared.songs.midi import parse_midi
from shared.songs.timing import Clock
from shared.songs.tracks import Marker, ParsedChart, Track, parse_tracks

LANE = 24                 # px per lane
GUTTER = 34               # px left of each column, for measure numbers
PX_PER_SECOND = 120
COLUMN_SECONDS = 4.0
COLUMNS = 8
WINDOW_SECONDS = COLUMN_SECONDS * COLUMNS
TOP, BOTTOM = 10, 22      # px above and below the columns (time labels go below)
GEM_HEIGHT = 8
MAX_LINES = 2000          # beat lines drawn at most (a broken time signature makes millions)

FIVE_FRET = ("#2ecc71", "#ff4d5e", "#ffd23f", "#3fa7ff", "#ff9f1c")   # green to orange
DRUM_LANES = ("#ff4d5e", "#ffd23f", "#3fa7ff", "#2ecc71")            # red, yellow, blue, green
OPEN_COLOUR, KICK_COLOUR = "#b36bff", "#ff9f1c"
STAR_POWER_COLOUR = "#7fdcff"
SECTION_COLOUR = "#ffd23f"
INK, PAPER, BEAT, MEASURE, MUTED = "#0d0f14", "#171a22", "#2c3142", "#596079", "#a3a8b8"

FRET_LANES = {ev.N_GREEN: 0, ev.N_RED: 1, ev.N_YELLOW: 2, ev.N_BLUE: 3, ev.N_ORANGE: 4}
DRUM_LANE_OF = {ev.N_RED_DRUM: 0, ev.N_YELLOW_DRUM: 1, ev.N_BLUE_DRUM: 2, ev.N_GREEN_DRUM: 3}
INSTRUMENT_WORDS = {"guitar": "guitar", "guitarcoop": "co-op guitar", "rhythm": "rhythm",
                    "bass": "bass", "drums": "drums", "keys": "keys"}


@dataclass(frozen=True)
class Gem:
    """One note: `lane` None means across the highway (an open note, a kick)."""

    seconds: float
    lane: int | None
    sustain: float = 0.0      # seconds
    look: str = "strum"       # strum, hopo, tap, tom, cymbal, kick


@dataclass(frozen=True)
class Gridline:
    seconds: float
    measure: int | None = None   # the measure's number when one starts here


@dataclass(frozen=True)
class Highway:
    """What one part shows from `start` to `end` seconds."""

    label: str                          # "Expert guitar"
    lanes: tuple[str, ...]              # lane colours, left to right
    across: str                         # colour of notes across the lanes (open, kick)
    start: float
    end: float
    gems: tuple[Gem, ...]
    lines: tuple[Gridline, ...]
    sections: tuple[tuple[float, str], ...]
    star_power: tuple[tuple[float, float], ...]    # (from, to) seconds


def read_chart(files: Mapping[str, bytes]) -> ParsedChart | None:
    """The folder's chart with its song.ini's modifiers applied, or None without a chart.
    Only the chart and the ini are read from `files`. Raises SongFormatError for bad bytes."""
    names = folder.ordered_names({name: b"" for name in files if "/" not in name})
    chart_name = folder.pick_chart(names).name
    if chart_name is None:
        return None
    modifiers = DEFAULT_METADATA
    ini_name = folder.pick_ini(names).name
    if ini_name is not None and (song := parse_ini(files[ini_name]).song) is not None:
        modifiers = read_metadata(song).values
    fmt = folder.extension(chart_name).lower()
    data = files[chart_name]
    raw = parse_midi(data, modifiers) if fmt == "mid" else parse_chart(data)
    return parse_tracks(raw, fmt, modifiers)


def parts(chart: ParsedChart) -> dict[str, list[str]]:
    """Drawable instruments (5-fret and drums) and their charted difficulties, hardest first."""
    found: dict[str, list[str]] = {}
    for track in chart.tracks:
        if track.instrument in INSTRUMENT_WORDS and track.groups:
            found.setdefault(track.instrument, []).append(track.difficulty)
    return {name: sorted(set(levels), key=ev.DIFFICULTIES.index)
            for name, levels in sorted(found.items(), key=lambda i: _instrument_rank(i[0]))}


def first_note_seconds(chart: ParsedChart, instrument: str, difficulty: str) -> float:
    track = _track(chart, instrument, difficulty)
    return track.times[0] / 1000 if track and track.times else 0.0


def last_note_seconds(chart: ParsedChart, instrument: str, difficulty: str) -> float:
    track = _track(chart, instrument, difficulty)
    return track.times[-1] / 1000 if track and track.times else 0.0


def highway(chart: ParsedChart, instrument: str, difficulty: str, start: float,
            seconds: float = WINDOW_SECONDS) -> Highway | None:
    """`instrument` at `difficulty` from `start` for `seconds`; None when not charted."""
    track = _track(chart, instrument, difficulty)
    if track is None:
        return None
    end = start + seconds
    drums = instrument == "drums"
    clock = chart.clock()
    gems = []
    for ms, group in zip(track.times, track.groups, strict=True):
        if ms / 1000 >= end:
            break
        for tick, length, kind, flags in (note[:4] for note in group):
            sustain = clock.ms_length(clock.ms(tick), tick, length) / 1000
            if ms / 1000 + sustain < start:
                continue
            gems.append(_drum_gem(ms / 1000, kind, flags) if drums
                        else _fret_gem(ms / 1000, sustain, kind, flags))
    return Highway(
        label=f"{difficulty.capitalize()} {INSTRUMENT_WORDS.get(instrument, instrument)}",
        lanes=DRUM_LANES if drums else FIVE_FRET, across=KICK_COLOUR if drums else OPEN_COLOUR,
        start=start, end=end, gems=tuple(g for g in gems if g is not None),
        lines=tuple(gridlines(chart, start, end)),
        sections=tuple((s.ms_time / 1000, s.name) for s in chart.sections
                       if start <= s.ms_time / 1000 < end),
        star_power=tuple((p.ms_time / 1000, (p.ms_time + p.ms_length) / 1000)
                         for p in track.star_power
                         if p.ms_time / 1000 < end and (p.ms_time + p.ms_length) / 1000 > start))


def gridlines(chart: ParsedChart, start: float, end: float) -> list[Gridline]:
    """Every beat from `start` to `end` seconds by the tempo map and time signatures (a new
    signature starts a new measure), with measure numbers (from 1) where measures start."""
    end_tick = _tick_at(chart, end * 1000)
    signatures = sorted(chart.time_signatures, key=lambda s: s.tick)
    if not signatures or signatures[0].tick > 0:
        signatures.insert(0, Marker(0))
    beats: list[tuple[float, int | None]] = []
    measure = 0
    for signature, following in zip(signatures, [*signatures[1:], None], strict=True):
        stop = min(end_tick + 1, following.tick if following else end_tick + 1)
        beat = chart.resolution * 4 / _sane_denominator(signature.denominator)
        per_measure = max(1, int(signature.numerator))
        count = 0
        while beat >= 1 and signature.tick + count * beat < stop and len(beats) < 50 * MAX_LINES:
            starts_measure = count % per_measure == 0
            measure += starts_measure
            beats.append((signature.tick + count * beat, measure if starts_measure else None))
            count += 1
    times = Clock(chart.tempos, chart.resolution).times([tick for tick, _ in beats])
    lines = [Gridline(ms / 1000, number) for ms, (_, number) in zip(times, beats, strict=True)
             if start <= ms / 1000 < end]
    return lines[:MAX_LINES]


def _sane_denominator(denominator: float) -> float:
    return denominator if 0 < denominator < 1024 else 4


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


def _fret_gem(seconds: float, sustain: float, kind: int, flags: int) -> Gem | None:
    look = "tap" if flags & ev.F_TAP else "hopo" if flags & ev.F_HOPO else "strum"
    if kind == ev.N_OPEN:
        return Gem(seconds, None, sustain, "hopo" if look != "strum" else "strum")
    lane = FRET_LANES.get(kind)
    return None if lane is None else Gem(seconds, lane, sustain, look)


def _drum_gem(seconds: float, kind: int, flags: int) -> Gem | None:
    if kind == ev.N_KICK:
        return Gem(seconds, None, 0.0, "kick")
    lane = DRUM_LANE_OF.get(kind)
    if lane is None:
        return None
    return Gem(seconds, lane, 0.0, "cymbal" if flags & ev.F_CYMBAL else "tom")


def _place(way: Highway, seconds: float) -> tuple[int, float]:
    column = max(0, min(int((seconds - way.start) // COLUMN_SECONDS),
                        math.ceil((way.end - way.start) / COLUMN_SECONDS) - 1))
    return column, _y(seconds - way.start - column * COLUMN_SECONDS)


def _y(into_column: float) -> float:
    """Height in the drawing of a moment `into_column` seconds after its column starts."""
    return TOP + (COLUMN_SECONDS - into_column) * PX_PER_SECOND


def _tick_at(chart: ParsedChart, ms: float) -> int:
    tempo = next((t for t in reversed(chart.tempos) if t.ms_time <= ms), chart.tempos[0])
    if not 0 < tempo.bpm < math.inf:
        return tempo.tick
    return math.ceil(tempo.tick + (ms - tempo.ms_time) * tempo.bpm * chart.resolution / 60000)


def _track(chart: ParsedChart, instrument: str, difficulty: str) -> Track | None:
    return next((t for t in chart.tracks
                 if (t.instrument, t.difficulty) == (instrument, difficulty) and t.groups), None)


def _instrument_rank(instrument: str) -> int:
    return list(INSTRUMENT_WORDS).index(instrument)


def mm_ss(seconds: float) -> str:
    whole = max(0, int(seconds))
    return f"{whole // 60}:{whole % 60:02d}"
