"""Guitar-like rules: forced/natural HOPOs, taps, opens, and chord snapping."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from . import events as ev
from .errors import ChartParseError
from .raw import Note


def hopo_threshold(modifiers: Mapping[str, Any], resolution: int, fmt: str) -> float:
    """Ticks within which a different single note after another becomes a natural HOPO."""
    if modifiers["hopo_frequency"]:
        return modifiers["hopo_frequency"]
    if modifiers["eighthnote_hopo"]:
        return math.floor(1 + resolution / 2)
    return math.floor(1 + resolution / 3 if fmt == "mid" else (65 / 192) * resolution)


def _fret_types(events: list[list[int]]) -> list[int]:
    return [e[2] for e in events if e[2] in ev.FRET_EVENTS]


def _is_chord(types: list[int]) -> bool:
    return len(set(types)) > 1


def _same_note(types: list[int], last_types: list[int]) -> bool:
    """True unless the two groups hold two different lanes (scan-chart's isSameFretNote)."""
    if not types or not last_types:
        return True
    return len(set(types) | set(last_types)) == 1


def resolve_fret_groups(groups: list[list[list[int]]], modifiers: Mapping[str, Any],
                        resolution: int, fmt: str) -> list[list[Note]]:
    """Each tick's fret events as notes flagged strum/hopo/tap; modifier-only ticks dropped."""
    threshold = hopo_threshold(modifiers, resolution, fmt)
    resolved: list[list[Note]] = []
    last_tick = last_types = None
    for events in groups:
        kinds = {e[2] for e in events}
        if ev.FORCE_OPEN in kinds:
            frets = [e for e in events if e[2] in ev.FRET_EVENTS]
            if not frets:
                raise ChartParseError("An open-note modifier has no note to apply to.")
            longest = max(frets, key=lambda e: e[1])
            longest[2] = ev.OPEN
            events = [e for e in events if e[2] not in ev.FRET_EVENTS and e[2] != ev.FORCE_OPEN]
            events.append(longest)
            kinds = {e[2] for e in events}
        notes = [e for e in events if e[2] in ev.FRET_EVENTS]
        if not notes:
            continue
        types = [e[2] for e in notes]
        natural_hopo = (
            last_types is not None
            and notes[0][0] - last_tick <= threshold
            and not _is_chord(types)
            and not _same_note(types, last_types)
            and not (fmt == "mid" and _is_chord(last_types) and set(types) <= set(last_types))
        )
        resolved.append([Note(e[0], e[1], ev.FRET_NOTE_TYPE[e[2]], _force_flag(kinds, natural_hopo))
                         for e in notes])
        last_tick, last_types = notes[0][0], types
    return resolved


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
        if group[0].tick - last[0].tick >= threshold:
            merged.append(group)
            continue
        if instrument == "drums":
            _copy_drum_flags(group, last)
        else:
            for note in group:
                note.flags = last[0].flags
        for note in group:
            note.tick = last[0].tick
            last.append(note)
    return merged


def _copy_drum_flags(group: list[Note], last: list[Note]) -> None:
    disco_bits = ev.F_DISCO | ev.F_DISCO_NOFLIP
    for note in group:
        same_lane = next((n.flags for n in last if n.type == note.type), None)
        if same_lane is not None:
            note.flags = same_lane
        if note.type in (ev.N_RED_DRUM, ev.N_YELLOW_DRUM):
            red = next((n.flags for n in last if n.type == ev.N_RED_DRUM), None)
            yellow = next((n.flags for n in last if n.type == ev.N_YELLOW_DRUM), None)
            if red is not None or yellow is not None:
                note.flags = (note.flags & ~disco_bits) | (((red or 0) | (yellow or 0)) & disco_bits)
