"""Hard, Medium and Easy generated for every part of a chart that is charted on Expert only.

Consumes a chart file's bytes (`.chart` or `.mid`) and the song's ini values; emits the chart
with the generated difficulties written into it, and the generated parts. Parts charted on any
other difficulty are left alone, and Expert is never changed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .. import events as ev
from ..chart import parse_chart
from ..drums import FIVE_LANE
from ..frets import hopo_threshold
from ..midi import parse_midi
from ..midifile import read_midi
from ..tracks import ParsedChart, Track, parse_tracks
from .chart_writer import write_chart
from .drums import DRUM_RULES, reduce_drums
from .guitar import FRET_RULES, reduce_frets
from .meter import TempoMap, meter_of
from .mid_writer import covered, instrument_track_index, tap_spans, write_mid
from .midi_events import split_track
from .model import GENERATED_DIFFICULTIES, GeneratedPart

MAX_WIDENINGS = 4


@dataclass(frozen=True)
class GeneratedChart:
    """The chart file with its generated difficulties, and what was generated."""

    data: bytes
    parts: tuple[GeneratedPart, ...]

    @property
    def instruments(self) -> tuple[str, ...]:
        """The instruments that got lower difficulties."""
        return tuple(dict.fromkeys(p.instrument for p in self.parts))


def parse_chart_file(data: bytes, fmt: str, modifiers: Mapping[str, Any]) -> ParsedChart:
    """A chart file read through the shared rules (raises ChartParseError)."""
    raw = parse_midi(data, modifiers) if fmt == "mid" else parse_chart(data)
    return parse_tracks(raw, fmt, modifiers)


def expert_only_tracks(chart: ParsedChart) -> list[Track]:
    """The Expert tracks of the instruments charted on no other difficulty."""
    charted: dict[str, set[str]] = {}
    for track in chart.tracks:
        if track.groups:
            charted.setdefault(track.instrument, set()).add(track.difficulty)
    seen: set[str] = set()
    found = []
    for track in chart.tracks:
        if (track.difficulty == "expert" and charted.get(track.instrument) == {"expert"}
                and track.instrument not in seen):
            seen.add(track.instrument)
            found.append(track)
    return found


def sustain_threshold(modifiers: Mapping[str, Any], resolution: int, fmt: str) -> int:
    """Sustains at or under this many ticks are read as no sustain (as tracks.py reads them)."""
    cutoff = modifiers["sustain_cutoff_threshold"]
    return cutoff if cutoff != -1 else (resolution // 3 + 1 if fmt == "mid" else 0)


def reduce_track(track: Track, chart: ParsedChart, difficulty: str, fmt: str,
                 modifiers: Mapping[str, Any]) -> GeneratedPart:
    """One generated difficulty of an Expert track."""
    meter = meter_of(chart.resolution, chart.time_signatures)
    if track.instrument == "drums":
        rules = DRUM_RULES[difficulty]
        if fmt == "mid" or chart.drum_type == FIVE_LANE:  # no tom mark for one difficulty
            rules = replace(rules, cymbals_as_toms=False)
        for _ in range(MAX_WIDENINGS):
            notes = reduce_drums(track, difficulty, meter, rules)
            if _reduced(notes, track):
                break
            rules = replace(rules, pad_gap_beats=rules.pad_gap_beats * 2)
        return GeneratedPart(track.instrument, difficulty, notes)
    tempo = TempoMap(chart.tempos, chart.resolution)
    fret_rules = FRET_RULES[difficulty]
    for _ in range(MAX_WIDENINGS):
        notes = reduce_frets(track, difficulty, meter, tempo,
                             hopo_threshold=hopo_threshold(modifiers, chart.resolution, fmt),
                             sustain_threshold=sustain_threshold(modifiers, chart.resolution,
                                                                 fmt), rules=fret_rules)
        if _reduced(notes, track):
            break
        fret_rules = replace(fret_rules, gap_beats=fret_rules.gap_beats * 2)
    return GeneratedPart(track.instrument, difficulty, notes)


def _reduced(notes, track: Track) -> bool:
    """Whether a generated part holds fewer note groups than Expert (a chart whose lower
    difficulty repeats Expert note for note is flagged `difficultyNotReduced`)."""
    return len({note.tick for note in notes}) < len(track.groups) or len(track.groups) <= 20


def generate_parts(chart: ParsedChart, fmt: str, modifiers: Mapping[str, Any],
                   data: bytes = b"") -> tuple[GeneratedPart, ...]:
    """Hard, Medium and Easy for each Expert-only part of a parsed chart."""
    parts = []
    for track in expert_only_tracks(chart):
        for difficulty in GENERATED_DIFFICULTIES:
            part = reduce_track(track, chart, difficulty, fmt, modifiers)
            if fmt == "mid" and track.instrument != "drums":
                part = _under_tap_phrases(part, _tap_spans(data, track.instrument))
            if part.notes:
                parts.append(part)
    return tuple(parts)


def _under_tap_phrases(part: GeneratedPart, spans: list[tuple[int, int]]) -> GeneratedPart:
    """A `.mid`'s tap phrases cover every difficulty: the notes under one are taps, and Easy,
    which has none, leaves them out."""
    if part.difficulty == "easy":
        notes = tuple(n for n in part.notes if not covered(n.tick, spans))
    else:
        notes = tuple(replace(n, flags=ev.F_TAP) if covered(n.tick, spans) else n
                      for n in part.notes)
    return GeneratedPart(part.instrument, part.difficulty, notes)


def _tap_spans(data: bytes, instrument: str) -> list[tuple[int, int]]:
    tracks = read_midi(data).tracks
    return tap_spans(split_track(tracks[instrument_track_index(tracks, instrument)]))


def generate_lower_difficulties(data: bytes, fmt: str,
                                modifiers: Mapping[str, Any]) -> GeneratedChart:
    """The chart with Hard, Medium and Easy written for each Expert-only part (unchanged bytes
    when there is none). Raises ChartParseError for a chart that cannot be read or written."""
    chart = parse_chart_file(data, fmt, modifiers)
    parts = generate_parts(chart, fmt, modifiers, data)
    if not parts:
        return GeneratedChart(data, ())
    threshold = sustain_threshold(modifiers, chart.resolution, fmt)
    if fmt == "mid":
        written = write_mid(data, parts, modifiers, chart.resolution, chart.drum_type, threshold)
    else:
        written = write_chart(data, parts, modifiers, chart.resolution, chart.drum_type)
    return GeneratedChart(written, parts)


__all__ = ["GeneratedChart", "expert_only_tracks", "generate_lower_difficulties",
           "generate_parts", "parse_chart_file", "reduce_track"]
