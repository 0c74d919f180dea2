"""Guitar-like rules: forced/natural HOPOs, taps, opens, and chord snapping."""

from __future__ import annotations

import math
from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from . import events as ev
from .errors import ChartParseError
from .raw import FLAGS, TICK, TYPE, Note


def hopo_threshold(modifiers: Mapping[str, Any], resolution: int, fmt: str) -> float:
    """Ticks within which a different single note after another becomes a natural HOPO."""
    if modifiers["hopo_frequency"]:
        return modifiers["hopo_frequency"]
    if modifiers["eighthnote_hopo"]:
        return math.floor(1 + resolution / 2)
    return math.floor(1 + resolution / 3 if fmt == "mid" else (65 / 192) * resolution)


_BY_TYPE = itemgetter(2)
_ALONE = {kind: frozenset((kind,)) for kind in ev.FRET_EVENTS}  # the lanes of a single note


def resolve_fret_groups(groups: list[list[list[int]]], modifiers: Mapping[str, Any],
                        resolution: int, fmt: str) -> list[list[Note]]:
    """Each tick's fret events as notes flagged strum/hopo/tap; modifier-only ticks dropped.

    A note is a natural HOPO when it comes soon enough after the previous note group and is
    neither a chord nor the previous group's only lane (scan-chart's isSameFretNote); in a
    .mid, nor part of a previous chord.
    """
    threshold = hopo_threshold(modifiers, resolution, fmt)
    resolved: list[list[Note]] = []
    last_tick, last_lanes = 0, None  # the previous note group's tick and set of lanes
    frets, note_type, mid = ev.FRET_EVENTS, ev.FRET_NOTE_TYPE, fmt == "mid"
    for events in groups:
        if len(events) == 1:  # the common case: one note, no modifier
            tick, length, kind = events[0][0], events[0][1], events[0][2]
            lanes = _ALONE.get(kind)
            if lanes is None:
                continue
            natural = (last_lanes is not None and tick - last_tick <= threshold
                       and last_lanes != lanes
                       and not (mid and kind in last_lanes and len(last_lanes) > 1))
            resolved.append([[tick, length, note_type[kind], ev.F_HOPO if natural else ev.F_STRUM]])
            last_tick, last_lanes = tick, lanes
            continue
        kinds = set(map(_BY_TYPE, events))
        if ev.FORCE_OPEN in kinds:
            events = _apply_open(events)
            kinds = set(map(_BY_TYPE, events))
        notes = [e for e in events if e[2] in frets]
        if not notes:
            continue
        lanes = frozenset(map(_BY_TYPE, notes))
        natural = (
            last_lanes is not None
            and notes[0][0] - last_tick <= threshold
            and len(lanes) == 1
            and len(lanes | last_lanes) > 1
            and not (mid and len(last_lanes) > 1 and lanes <= last_lanes)
        )
        flag = _force_flag(kinds, natural)
        resolved.append([[e[0], e[1], note_type[e[2]], flag] for e in notes])
        last_tick, last_lanes = notes[0][0], lanes
    return resolved


def _apply_open(events: list[list[int]]) -> list[list[int]]:
    """A .mid open-note modifier turns the tick's longest note into an open note."""
    frets = [e for e in events if e[2] in ev.FRET_EVENTS]
    if not frets:
        raise ChartParseError("An open-note modifier has no note to apply to.")
    longest = max(frets, key=lambda e: e[1])
    longest[2] = ev.OPEN
    kept = [e for e in events if e[2] not in ev.FRET_EVENTS and e[2] != ev.FORCE_OPEN]
    return [*kept, longest]


def _force_flag(kinds: set[int], natural_hopo: bool) -> int:
    if ev.FORCE_TAP in kinds:
        return ev.F_TAP
    if ev.FORCE_HOPO in kinds:
        return ev.F_HOPO
    if ev.FORCE_STRUM in kinds:
        return ev.F_STRUM
    return ev.F_STRUM if (ev.FORCE_UNNATURAL in kinds) == natural_hopo else ev.F_HOPO


def snap_chords(groups: list[list[Note]], threshold: int, instrument: str) -> list[list[Note]]:
    """Merge note groups closer than `threshold` ticks into the earlier one (ini chord_snap)."""
    if threshold <= 0 or not groups:
        return groups
    merged = [groups[0]]
    for group in groups[1:]:
        last = merged[-1]
        if group[0][TICK] - last[0][TICK] >= threshold:
            merged.append(group)
            continue
        if instrument == "drums":
            _copy_drum_flags(group, last)
        else:
            for note in group:
                note[FLAGS] = last[0][FLAGS]
        for note in group:
            note[TICK] = last[0][TICK]
            last.append(note)
    return merged


def _flags_of_lane(group: list[Note], lane: int) -> int | None:
    return next((n[FLAGS] for n in group if n[TYPE] == lane), None)


def _copy_drum_flags(group: list[Note], last: list[Note]) -> None:
    disco_bits = ev.F_DISCO | ev.F_DISCO_NOFLIP
    for note in group:
        same_lane = _flags_of_lane(last, note[TYPE])
        if same_lane is not None:
            note[FLAGS] = same_lane
        if note[TYPE] in (ev.N_RED_DRUM, ev.N_YELLOW_DRUM):
            red = _flags_of_lane(last, ev.N_RED_DRUM)
            yellow = _flags_of_lane(last, ev.N_YELLOW_DRUM)
            if red is not None or yellow is not None:
                disco = ((red or 0) | (yellow or 0)) & disco_bits
                note[FLAGS] = (note[FLAGS] & ~disco_bits) | disco
