"""Shared chart rules on raw tracks: modifiers resolved into note groups with flags and times.

This follows scan-chart 8.0.1's notes-parser step by step, because its track hashes, counts and
issues depend on each rule (HOPO thresholds, sustain trimming, chord snapping, overlap fixes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from . import events as ev
from .drums import drum_type_of, resolve_drum_groups
from .frets import resolve_fret_groups, snap_chords
from .raw import Note, Phrase, RawChart, RawTrack
from .timing import Clock, Tempo, timed_tempos

_BY_TYPE = itemgetter(2)
_FORCED = frozenset((ev.FORCE_UNNATURAL, ev.FORCE_HOPO, ev.FORCE_STRUM))


@dataclass
class Track:
    """One instrument at one difficulty: its chords (`groups`, at `ticks`/`times` ms), phrases."""

    instrument: str
    difficulty: str
    groups: list[list[Note]]
    times: list[float]
    ticks: list[int]
    star_power: list[Phrase]
    rejected_star_power: list[Phrase]
    solo_sections: list[Phrase]
    flex_lanes: list[Phrase]
    freestyle_sections: list[Phrase]


@dataclass
class Marker:
    """A tick-only event (section, end event, time signature) with its time."""

    tick: int
    ms_time: float = 0.0
    length: int = 0
    ms_length: float = 0.0
    name: str = ""
    numerator: int = 4
    denominator: int = 4


@dataclass
class ParsedChart:
    """A whole chart after the shared rules (scan-chart's ParsedChart)."""

    resolution: int
    drum_type: int | None
    metadata: dict
    has_lyrics: bool
    has_vocals: bool
    has_forced_notes: bool
    tempos: list[Tempo]
    time_signatures: list[Marker]
    sections: list[Marker]
    end_events: list[Marker]
    tracks: list[Track]
    lyrics: list[tuple[int, str]]

    def clock(self) -> Clock:
        """A fresh tick-to-milliseconds converter for this chart."""
        return Clock(self.tempos, self.resolution)


def parse_tracks(raw: RawChart, fmt: str, modifiers: Mapping[str, Any]) -> ParsedChart:
    """Apply the shared rules to a raw chart read from a `fmt` ('chart' or 'mid') file."""
    tempos = timed_tempos(raw.tempos, raw.resolution)
    drum_type = drum_type_of(raw.tracks, modifiers)
    has_forced = any(not _FORCED.isdisjoint(map(_BY_TYPE, t.events)) for t in raw.tracks
                     if t.instrument != "drums")

    def markers(items: list[Marker]) -> list[Marker]:
        Clock(tempos, raw.resolution).stamp(items)
        return items

    return ParsedChart(
        resolution=raw.resolution, drum_type=drum_type, metadata=raw.metadata,
        has_lyrics=raw.has_lyrics, has_vocals=raw.has_vocals, has_forced_notes=has_forced,
        tempos=tempos,
        time_signatures=markers([Marker(t, numerator=n, denominator=d)
                                 for t, n, d in raw.time_signatures]),
        sections=markers([Marker(t, name=name) for t, name in raw.sections]),
        end_events=markers([Marker(t) for t in raw.end_events]),
        tracks=[_track(t, tempos, raw.resolution, fmt, modifiers, drum_type) for t in raw.tracks],
        lyrics=raw.lyrics,
    )


def _track(raw: RawTrack, tempos: list[Tempo], resolution: int, fmt: str,
           modifiers: Mapping[str, Any], drum_type: int | None) -> Track:
    def timed(phrases: list[Phrase]) -> list[Phrase]:
        Clock(tempos, resolution).stamp(phrases)
        return phrases

    threshold = _sustain_threshold(modifiers["sustain_cutoff_threshold"], resolution, fmt)
    grouped, has_sustains = _group_by_tick(raw.events, threshold)
    if raw.instrument == "drums":
        groups = resolve_drum_groups(grouped, drum_type, fmt)
    else:
        groups = resolve_fret_groups(grouped, modifiers, resolution, fmt)
    groups = snap_chords(groups, modifiers["chord_snap_threshold"], raw.instrument)
    _fix_note_overlaps(groups, has_sustains)
    ticks = [group[0][0] for group in groups]
    return Track(
        instrument=raw.instrument, difficulty=raw.difficulty, groups=groups,
        times=Clock(tempos, resolution).times(ticks), ticks=ticks,
        star_power=_fix_phrase_overlaps(timed(raw.star_power)),
        rejected_star_power=timed(raw.rejected_star_power),
        solo_sections=_fix_phrase_overlaps(timed(raw.solo_sections)),
        flex_lanes=_fix_flex_lane_overlaps(timed(raw.flex_lanes)),
        freestyle_sections=timed(raw.freestyle_sections),
    )


def _sustain_threshold(cutoff: int, resolution: int, fmt: str) -> int:
    """Sustains at or under this many ticks become 0 (.mid default: 1/12 step and a tick)."""
    return cutoff if cutoff != -1 else (resolution // 3 + 1 if fmt == "mid" else 0)


def _group_by_tick(events: list[list[int]], threshold: int) -> tuple[list[list[list[int]]], bool]:
    """Events (already in tick order) grouped by tick, short sustains cut; and whether any
    event still has a length."""
    groups: list[list[list[int]]] = []
    current: list[list[int]] = []
    last_tick = None
    has_sustains = False
    for event in events:
        if event[1]:
            if event[1] <= threshold:
                event[1] = 0
            else:
                has_sustains = True
        if event[0] == last_tick:
            current.append(event)
        else:
            last_tick = event[0]
            current = [event]
            groups.append(current)
    return groups, has_sustains


def _dedupe_lanes(group: list[Note]) -> list[Note]:
    """One note per lane: sorted by lane, the longest (then most flags) kept."""
    group.sort(key=_BY_TYPE)
    if len(set(map(_BY_TYPE, group))) == len(group):
        return group  # no lane twice: the order by lane is the whole story
    group.sort(key=lambda n: (n[2], -n[1], -n[3]))
    kept = [group[0]]
    for note in group:
        if note[2] != kept[-1][2]:
            kept.append(note)
    return kept


def _fix_note_overlaps(groups: list[list[Note]], has_sustains: bool) -> None:
    """One note per lane per chord; a sustain ends where the lane's next note starts."""
    for index, group in enumerate(groups):
        if len(group) > 1:
            groups[index] = _dedupe_lanes(group)
    if not has_sustains:
        return
    open_sustains: dict[int, Note] = {}
    for group in groups:
        for note in group:
            before = open_sustains.pop(note[2], None)
            if note[1]:
                open_sustains[note[2]] = note
            if before is not None and before[0] + before[1] > note[0]:
                note[1] = max(note[1], before[1] - (note[0] - before[0]))
                before[1] = note[0] - before[0]
                if note[1]:
                    open_sustains[note[2]] = note
    # A zero-length note never overlaps the next one, so only sustains are remembered.


def _fix_phrase_overlaps(phrases: list[Phrase]) -> list[Phrase]:
    """Longest phrase kept per tick; an overlapped phrase is cut where the next one starts."""
    phrases.sort(key=lambda p: (p.tick, -p.length))
    kept = [p for i, p in enumerate(phrases) if i == 0 or p.tick != phrases[i - 1].tick]
    previous = None
    for phrase in kept:
        if previous is not None and previous.tick + previous.length > phrase.tick:
            phrase.length = max(phrase.length, previous.length - (phrase.tick - previous.tick))
            phrase.ms_length = max(phrase.ms_length,
                                   previous.ms_length - (phrase.ms_time - previous.ms_time))
            previous.length = phrase.tick - previous.tick
            previous.ms_length = phrase.ms_time - previous.ms_time
        previous = phrase
    return kept


def _fix_flex_lane_overlaps(lanes: list[Phrase]) -> list[Phrase]:
    """One single and one double lane per tick (the longest)."""
    lanes.sort(key=lambda p: (p.tick, p.flag, -p.length))
    return [p for i, p in enumerate(lanes)
            if i == 0 or (p.tick, p.flag) != (lanes[i - 1].tick, lanes[i - 1].flag)]
