"""Drum rules: drum type, and raw drum events resolved into notes with tom/cymbal/dynamics flags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from . import events as ev
from .raw import Note, RawTrack

FOUR_LANE, FOUR_LANE_PRO, FIVE_LANE = 0, 1, 2

_NOTE_TYPE = {
    ev.RED_DRUM: ev.N_RED_DRUM, ev.YELLOW_DRUM: ev.N_YELLOW_DRUM, ev.BLUE_DRUM: ev.N_BLUE_DRUM,
    ev.FIVE_ORANGE_FOUR_GREEN_DRUM: ev.N_GREEN_DRUM, ev.FIVE_GREEN_DRUM: ev.N_GREEN_DRUM,
}
_DYNAMICS = {  # note event -> (accent modifier, ghost modifier)
    ev.RED_DRUM: (ev.RED_ACCENT, ev.RED_GHOST),
    ev.YELLOW_DRUM: (ev.YELLOW_ACCENT, ev.YELLOW_GHOST),
    ev.BLUE_DRUM: (ev.BLUE_ACCENT, ev.BLUE_GHOST),
    ev.FIVE_ORANGE_FOUR_GREEN_DRUM: (ev.FIVE_ORANGE_FOUR_GREEN_ACCENT,
                                     ev.FIVE_ORANGE_FOUR_GREEN_GHOST),
    ev.FIVE_GREEN_DRUM: (ev.FIVE_GREEN_ACCENT, ev.FIVE_GREEN_GHOST),
    ev.KICK: (ev.KICK_ACCENT, ev.KICK_GHOST),
    ev.KICK_2X: (ev.KICK_ACCENT, ev.KICK_GHOST),
}
# Pro drums: which marker makes a lane the other kind, per format.
_MID_TOM_MARKERS = {ev.YELLOW_DRUM: ev.YELLOW_TOM_MARKER, ev.BLUE_DRUM: ev.BLUE_TOM_MARKER,
                    ev.FIVE_ORANGE_FOUR_GREEN_DRUM: ev.GREEN_TOM_MARKER}
_CHART_CYMBAL_MARKERS = {ev.YELLOW_DRUM: ev.YELLOW_CYMBAL_MARKER,
                         ev.BLUE_DRUM: ev.BLUE_CYMBAL_MARKER,
                         ev.FIVE_ORANGE_FOUR_GREEN_DRUM: ev.GREEN_CYMBAL_MARKER}
_FIVE_LANE_FLAGS = {ev.RED_DRUM: ev.F_TOM, ev.YELLOW_DRUM: ev.F_CYMBAL, ev.BLUE_DRUM: ev.F_TOM,
                    ev.FIVE_ORANGE_FOUR_GREEN_DRUM: ev.F_CYMBAL, ev.FIVE_GREEN_DRUM: ev.F_TOM}


def drum_type_of(tracks: list[RawTrack], modifiers: Mapping[str, Any]) -> int | None:
    """fourLane (0), fourLanePro (1) or fiveLane (2); None without a drums track."""
    drums = [t for t in tracks if t.instrument == "drums"]
    if not drums:
        return None
    if modifiers["pro_drums"]:
        return FOUR_LANE_PRO
    if modifiers["five_lane_drums"]:
        return FIVE_LANE
    if any(e[2] in ev.TOM_OR_CYMBAL_MARKERS for t in drums for e in t.events):
        return FOUR_LANE_PRO
    if any(e[2] == ev.FIVE_GREEN_DRUM for t in drums for e in t.events):
        return FIVE_LANE
    return FOUR_LANE


def _lane_flag(kind: int, present: set[int], drum_type: int, fmt: str) -> int:
    if drum_type == FOUR_LANE:
        return ev.F_TOM
    if drum_type == FIVE_LANE:
        return _FIVE_LANE_FLAGS.get(kind, 0)
    if kind in (ev.RED_DRUM, ev.FIVE_GREEN_DRUM):
        return ev.F_TOM
    if fmt == "mid":
        return ev.F_TOM if _MID_TOM_MARKERS[kind] in present else ev.F_CYMBAL
    return ev.F_CYMBAL if _CHART_CYMBAL_MARKERS[kind] in present else ev.F_TOM


def _dynamics_flag(kind: int, present: set[int]) -> int:
    accent, ghost = _DYNAMICS[kind]
    if accent in present:
        return ev.F_ACCENT
    return ev.F_GHOST if ghost in present else 0


def resolve_drum_groups(groups: list[list[list[int]]], drum_type: int, fmt: str) -> list[list[Note]]:
    """Each tick's drum events as notes; groups holding only modifiers are dropped."""
    resolved: list[list[Note]] = []
    disco = ev.DISCO_FLIP_OFF
    drum_events, note_types = ev.DRUM_EVENTS, _NOTE_TYPE
    lane_flags = _lane_flags_table(drum_type, fmt)
    for events in groups:
        if len(events) == 1:
            tick, length, kind = events[0][0], events[0][1], events[0][2]
            if kind in drum_events:  # the common case: one plain note
                resolved.append([_single_note(tick, length, kind, lane_flags, disco)])
            elif kind in ev.DISCO_EVENTS:
                disco = kind
            continue
        if all(e[2] in drum_events for e in events) and not _has_orange_and_green(events):
            resolved.append([_single_note(e[0], e[1], e[2], lane_flags, disco) for e in events])
            continue
        kinds = {e[2] for e in events}
        modifiers = kinds - drum_events
        if flips := modifiers & ev.DISCO_EVENTS:
            disco = min(flips)
        if len(modifiers) == len(kinds):
            continue
        flam = ev.F_FLAM if ev.FORCE_FLAM in modifiers else 0
        notes = [[e[0], e[1], ev.N_KICK, flam | (0 if e[2] == ev.KICK else ev.F_DOUBLE_KICK)
                  | _dynamics_flag(e[2], modifiers)]
                 for e in events if e[2] in ev.KICK_EVENTS]
        orange_and_green = {ev.FIVE_GREEN_DRUM, ev.FIVE_ORANGE_FOUR_GREEN_DRUM} <= kinds
        for event in events:
            kind = event[2]
            lane = note_types.get(kind)
            if lane is None:
                continue
            if kind == ev.FIVE_GREEN_DRUM and orange_and_green:
                lane = ev.N_BLUE_DRUM
            flags = flam | _lane_flag(kind, modifiers, drum_type, fmt) | _dynamics_flag(kind, modifiers)
            if lane in (ev.N_RED_DRUM, ev.N_YELLOW_DRUM) and disco != ev.DISCO_FLIP_OFF:
                flags |= ev.F_DISCO if disco == ev.DISCO_FLIP_ON else ev.F_DISCO_NOFLIP
            notes.append([event[0], event[1], lane, flags])
        resolved.append(notes)
    return resolved


def _has_orange_and_green(events: list[list[int]]) -> bool:
    kinds = [e[2] for e in events]
    return ev.FIVE_GREEN_DRUM in kinds and ev.FIVE_ORANGE_FOUR_GREEN_DRUM in kinds


def _lane_flags_table(drum_type: int, fmt: str) -> dict[int, int]:
    """Tom/cymbal flag of each drum event when no modifier is present."""
    return {kind: _lane_flag(kind, set(), drum_type, fmt) for kind in _NOTE_TYPE}


def _single_note(tick: int, length: int, kind: int, lane_flags: dict[int, int], disco: int) -> Note:
    """A note alone on its tick, with no modifiers."""
    if kind in ev.KICK_EVENTS:
        return [tick, length, ev.N_KICK, 0 if kind == ev.KICK else ev.F_DOUBLE_KICK]
    lane, flags = _NOTE_TYPE[kind], lane_flags[kind]
    if lane in (ev.N_RED_DRUM, ev.N_YELLOW_DRUM) and disco != ev.DISCO_FLIP_OFF:
        flags |= ev.F_DISCO if disco == ev.DISCO_FLIP_ON else ev.F_DISCO_NOFLIP
    return [tick, length, lane, flags]
