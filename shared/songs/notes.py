"""Analysis of a parsed chart: counts, NPS, flags, hashes and issues (scan-chart's notesData)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
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
    flags = types = 0
    for track in chart.tracks:
        for group in track.groups:
            for note in group:
                flags |= note[3]
                types |= 1 << note[2]
    return {
        "hasSoloSections": any(t.solo_sections for t in chart.tracks),
        "hasLyrics": chart.has_lyrics,
        "hasVocals": chart.has_vocals,
        "hasForcedNotes": chart.has_forced_notes,
        "hasTapNotes": bool(flags & ev.F_TAP),
        "hasOpenNotes": bool(types & (1 << ev.N_OPEN)),
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
    if not track.times:
        return ()
    size = min(MAX_GRAPH_SECONDS, max(0, int(track.times[-1] // 1000))) + 1
    counts = [0] * size
    drums = track.instrument == "drums"
    for group, time in zip(track.groups, track.times, strict=True):
        second = int(time // 1000)
        if 0 <= second < size:
            counts[second] += len(group) if drums else 1
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
