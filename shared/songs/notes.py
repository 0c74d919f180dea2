"""Analysis of a parsed chart: counts, NPS, flags, hashes and issues (scan-chart's notesData)."""

from __future__ import annotations

import hashlib
import math
from bisect import bisect_left
from collections.abc import Mapping
from dataclasses import dataclass
from functools import reduce
from itertools import accumulate, chain, islice, pairwise
from operator import itemgetter, le, or_, sub
from typing import Any

from . import events as ev
from .chart import parse_chart
from .chartissues import chart_issues
from .issues import ChartIssue, MetadataIssue
from .midi import parse_midi
from .text import js_number, js_str, lodash_round
from .trackhash import track_hashes
from .tracks import ParsedChart, Track, parse_tracks

NPS_WINDOW_MS = 1000
MAX_GRAPH_SECONDS = 86_400  # a day: the graph ignores notes past it rather than grow without end
_TYPE, _FLAGS = itemgetter(2), itemgetter(3)
DIFFICULTY_KEYS = {
    "guitar": "diff_guitar", "guitarcoop": "diff_guitar_coop", "rhythm": "diff_rhythm",
    "bass": "diff_bass", "drums": "diff_drums", "keys": "diff_keys",
    "guitarghl": "diff_guitarghl", "guitarcoopghl": "diff_guitar_coop_ghl",
    "rhythmghl": "diff_rhythm_ghl", "bassghl": "diff_bassghl",
}


@dataclass(frozen=True)
class TrackSummary:
    """Counts, densest second, hash and per-second note counts of one track."""

    instrument: str
    difficulty: str
    note_count: int
    max_nps: float
    max_nps_time: float
    hash: str
    per_second: tuple[int, ...]


@dataclass(frozen=True)
class NotesData:
    """scan-chart's notesData for one chart, plus a notes-per-second graph."""

    instruments: tuple[str, ...]
    drum_type: int | None
    flags: Mapping[str, bool]
    tracks: tuple[TrackSummary, ...]
    tempo_map_hash: str
    tempo_marker_count: int
    effective_length: float
    chart_issues: tuple[ChartIssue, ...]
    section_count: int = 0
    lyric_count: int = 0

    def as_dict(self) -> dict[str, Any]:
        """JSON form with scan-chart's names (`npsGraph`, `drumTypeName` are ours)."""
        def per_track(value) -> list[dict]:
            return [{"instrument": t.instrument, "difficulty": t.difficulty, **value(t)}
                    for t in self.tracks]

        return {
            "instruments": list(self.instruments),
            "drumType": self.drum_type,
            "drumTypeName": None if self.drum_type is None else ev.DRUM_TYPE_NAMES[self.drum_type],
            **self.flags,
            "noteCounts": per_track(lambda t: {"count": t.note_count}),
            "maxNps": per_track(lambda t: {"nps": js_number(t.max_nps),
                                           "time": js_number(t.max_nps_time)}),
            "trackHashes": per_track(lambda t: {"hash": t.hash}),
            "tempoMapHash": self.tempo_map_hash,
            "tempoMarkerCount": self.tempo_marker_count,
            "effectiveLength": js_number(self.effective_length),
            "chartIssues": [issue.as_dict() for issue in self.chart_issues],
            "npsGraph": per_track(lambda t: {"perSecond": list(t.per_second)}),
            "sectionCount": self.section_count,
            "lyricCount": self.lyric_count,
        }

    def difficulty_issues(self, metadata: Mapping[str, Any]) -> list[MetadataIssue]:
        """song.ini difficulty values missing for charted parts, or set for uncharted ones."""
        issues = [MetadataIssue("missingValue", f'Metadata is missing a "{key}" value.')
                  for instrument, key in DIFFICULTY_KEYS.items()
                  if instrument in self.instruments and metadata[key] == -1]
        if self.flags["hasVocals"] and metadata["diff_vocals"] == -1:
            issues.append(MetadataIssue("missingValue",
                                        'Metadata is missing a "diff_vocals" value.'))
        issues += [MetadataIssue("extraValue", f'Metadata contains "{key}", but {instrument} is '
                                 "not charted.")
                   for instrument, key in DIFFICULTY_KEYS.items()
                   if metadata[key] != -1 and instrument not in self.instruments]
        if metadata["diff_vocals"] != -1 and not self.flags["hasVocals"]:
            issues.append(MetadataIssue("extraValue", 'Metadata contains "diff_vocals", but '
                                        "vocals are not charted."))
        return issues


def analyse_chart(data: bytes, fmt: str, modifiers: Mapping[str, Any]):
    """Parse chart bytes (`fmt` 'chart' or 'mid') and analyse them.

    Returns (NotesData, the .chart [Song] metadata or None); raises ChartParseError.
    """
    chart = read_tracks(data, fmt, modifiers)
    return analyse(chart, modifiers), (chart.metadata if fmt == "chart" else None)


def read_tracks(data: bytes, fmt: str, modifiers: Mapping[str, Any]) -> ParsedChart:
    """Chart bytes (`fmt` 'chart' or 'mid') as timed tracks; raises ChartParseError."""
    raw = parse_midi(data, modifiers) if fmt == "mid" else parse_chart(data)
    return parse_tracks(raw, fmt, modifiers)


def analyse(chart: ParsedChart, modifiers: Mapping[str, Any]) -> NotesData:
    """NotesData for a parsed chart."""
    hashes: dict[tuple[str, str], str] = {}
    for track, hash_ in zip(chart.tracks, track_hashes(chart), strict=True):
        # scan-chart looks a hash up by name: a second "guitar expert" (a .mid with both
        # PART GUITAR and T1 GEMS) reports the first one's hash
        hashes.setdefault((track.instrument, track.difficulty), hash_)
    summaries = tuple(_summary(track, hashes[(track.instrument, track.difficulty)])
                      for track in chart.tracks)
    return NotesData(
        instruments=tuple(dict.fromkeys(t.instrument for t in chart.tracks)),
        drum_type=chart.drum_type,
        flags=_flags(chart),
        tracks=summaries,
        tempo_map_hash=tempo_map_hash(chart),
        tempo_marker_count=len(chart.tempos),
        effective_length=_effective_length(chart, modifiers["song_length"]),
        chart_issues=tuple(chart_issues(chart, hashes)),
        section_count=len(chart.sections),
        lyric_count=len(chart.lyrics),
    )


def _flags(chart: ParsedChart) -> dict[str, bool]:
    def every_note():
        return chain.from_iterable(chain.from_iterable(t.groups for t in chart.tracks))

    flags = reduce(or_, set(map(_FLAGS, every_note())), 0)
    types = set(map(_TYPE, every_note()))
    return {
        "hasSoloSections": any(t.solo_sections for t in chart.tracks),
        "hasLyrics": chart.has_lyrics,
        "hasVocals": chart.has_vocals,
        "hasForcedNotes": chart.has_forced_notes,
        "hasTapNotes": bool(flags & ev.F_TAP),
        "hasOpenNotes": ev.N_OPEN in types,
        "has2xKick": bool(flags & ev.F_DOUBLE_KICK),
        "hasFlexLanes": any(t.flex_lanes for t in chart.tracks),
    }


def _summary(track: Track, hash_: str) -> TrackSummary:
    groups = track.groups
    count = sum(map(len, groups)) if track.instrument == "drums" else len(groups)
    nps, time = max_nps(track.times)
    return TrackSummary(track.instrument, track.difficulty, count, nps, time, hash_,
                        _per_second(track))


def max_nps(times: list[float]) -> tuple[float, float]:
    """The most note groups in any 1-second window, and when that window starts (ms, 3 dp)."""
    if not times:
        return 0, 0
    in_window = best = start = best_start = 0
    for time in times:
        in_window += 1
        while times[start] < time - NPS_WINDOW_MS:
            start += 1
            in_window -= 1
        if in_window > best:
            best, best_start = in_window, start
    return (1000 * best) / NPS_WINDOW_MS, lodash_round(times[best_start], 3)


def _per_second(track: Track) -> tuple[int, ...]:
    """Notes per second of song time (chords count once, except on drums)."""
    times = track.times
    if not times:
        return ()
    size = min(MAX_GRAPH_SECONDS, max(0, int(times[-1] // 1000))) + 1
    weights = list(map(len, track.groups)) if track.instrument == "drums" else None
    if not (math.isfinite(times[0]) and all(map(le, times, islice(times, 1, None)))):
        return _per_second_unordered(times, weights, size)
    # In ascending order, each second's notes are one slice of the times.
    edges = [bisect_left(times, 1000 * second) for second in range(size + 1)]
    if weights is None:
        return tuple(map(sub, islice(edges, 1, None), edges))
    running = list(accumulate(weights, initial=0))  # notes before each chord
    return tuple(running[end] - running[start] for start, end in pairwise(edges))


def _per_second_unordered(times: list[float], weights: list[int] | None,
                          size: int) -> tuple[int, ...]:
    """`_per_second` for times that do not ascend (a tempo map out of order)."""
    counts = [0] * size
    for index, time in enumerate(times):
        second = int(time // 1000)
        if 0 <= second < size:
            counts[second] += 1 if weights is None else weights[index]
    return tuple(counts)


def tempo_map_hash(chart: ParsedChart) -> str:
    """md5 of `tick_bpm*1000` tempos joined by ':' then `tick_num_den` time signatures."""
    tempos = ":".join(f"{t.tick}_{js_str(t.bpm * 1000)}" for t in chart.tempos)
    signatures = ":".join(f"{s.tick}_{js_str(s.numerator)}_{js_str(s.denominator)}"
                          for s in chart.time_signatures)
    return hashlib.md5((tempos + signatures).encode("utf-8")).hexdigest()


def _effective_length(chart: ParsedChart, song_length: float) -> float:
    firsts = [t.times[0] for t in chart.tracks if t.times]
    lasts = [t.times[-1] for t in chart.tracks if t.times]
    if not firsts:
        return song_length
    return lodash_round(max(lasts) - min(firsts), 3)
