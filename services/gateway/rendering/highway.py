"""What one part of a chart shows on the preview's highway in a time window, as pure data.

Consumes a chart read by `shared.songs.scan.read_chart`; emits a `Highway` (its gems, beat and
measure lines, sections and star power) that `highway_svg.draw` turns into SVG text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from shared.songs import events as ev
from shared.songs.timing import Clock
from shared.songs.tracks import Marker, ParsedChart, Track

COLUMN_SECONDS = 4.0      # the highway is drawn in columns of this many seconds
COLUMNS = 8
WINDOW_SECONDS = COLUMN_SECONDS * COLUMNS
MAX_LINES = 2000          # beat lines drawn at most (a broken time signature makes millions)

FIVE_FRET = ("#2ecc71", "#ff4d5e", "#ffd23f", "#3fa7ff", "#ff9f1c")   # green to orange
DRUM_LANES = ("#ff4d5e", "#ffd23f", "#3fa7ff", "#2ecc71")            # red, yellow, blue, green
OPEN_COLOUR, KICK_COLOUR = "#b36bff", "#ff9f1c"

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
