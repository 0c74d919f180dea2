"""Drum rules: drum type, and raw drum events resolved into notes with tom/cymbal/dynamics flags."""

from __future__ import annotations

from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from . import events as ev
from .raw import Note, RawTrack

FOUR_LANE, FOUR_LANE_PRO, FIVE_LANE = 0, 1, 2
_BY_TYPE = itemgetter(2)

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
    types = set().union(*(map(_BY_TYPE, t.events) for t in drums))
    if not types.isdisjoint(ev.TOM_OR_CYMBAL_MARKERS):
        return FOUR_LANE_PRO
    if ev.FIVE_GREEN_DRUM in types:
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


_NO_MODIFIERS: frozenset[int] = frozenset()
_UNSEEN = object()


def resolve_drum_groups(groups: list[list[list[int]]], drum_type: int,
                        fmt: str) -> list[list[Note]]:
    """Each tick's drum events as notes; groups holding only modifiers are dropped."""
    resolved: list[list[Note]] = []
    disco = ev.DISCO_FLIP_OFF
    tables: dict[frozenset[int], dict[int, tuple[int, int]]] = {}  # by modifiers
    plain = tables[_NO_MODIFIERS] = _note_table(_NO_MODIFIERS, drum_type, fmt, disco)
    # The event types found at a tick -> their note table, or None for modifiers alone;
    # like `tables`, it holds for the current disco flip only.
    by_kinds: dict[frozenset[int], dict[int, tuple[int, int]] | None] = {}
    for events in groups:
        if len(events) == 1:  # the common case: one hit, no modifier
            event = events[0]
            entry = plain.get(event[2])
            if entry is not None:
                resolved.append([[event[0], event[1], entry[0], entry[1]]])
                continue
        kinds = frozenset(map(_BY_TYPE, events))
        table = by_kinds.get(kinds, _UNSEEN)
        if table is _UNSEEN:
            modifiers = kinds - ev.DRUM_EVENTS
            if (flips := modifiers & ev.DISCO_EVENTS) and min(flips) != disco:
                disco = min(flips)
                tables.clear()
                by_kinds.clear()
                plain = tables[_NO_MODIFIERS] = _note_table(_NO_MODIFIERS, drum_type, fmt,
                                                            disco)
            table = by_kinds[kinds] = _table_for(kinds, modifiers, tables, drum_type, fmt,
                                                 disco)
        if table is None:
            continue
        resolved.append([[e[0], e[1], *table[e[2]]] for e in events if e[2] in table])
    return resolved


def _table_for(kinds: frozenset[int], modifiers: frozenset[int], tables: dict, drum_type: int,
               fmt: str, disco: int) -> dict[int, tuple[int, int]] | None:
    """The note table for a tick holding these event types; None when it holds no hit."""
    if len(modifiers) == len(kinds):
        return None
    table = tables.get(modifiers)
    if table is None:
        table = tables[modifiers] = _note_table(modifiers, drum_type, fmt, disco)
    if ev.FIVE_GREEN_DRUM in kinds and ev.FIVE_ORANGE_FOUR_GREEN_DRUM in kinds:
        # five-lane green moves over when orange is there
        table = {**table, ev.FIVE_GREEN_DRUM: (ev.N_BLUE_DRUM, table[ev.FIVE_GREEN_DRUM][1])}
    return table


def _note_table(modifiers: frozenset[int], drum_type: int, fmt: str,
                disco: int) -> dict[int, tuple[int, int]]:
    """(lane, flags) of each drum event under these modifiers and the current disco flip."""
    flam = ev.F_FLAM if ev.FORCE_FLAM in modifiers else 0
    table = {kind: (ev.N_KICK, flam | double | _dynamics_flag(kind, modifiers))
             for kind, double in ((ev.KICK, 0), (ev.KICK_2X, ev.F_DOUBLE_KICK))}
    for kind, lane in _NOTE_TYPE.items():
        table[kind] = (lane, flam | _lane_flag(kind, modifiers, drum_type, fmt)
                       | _dynamics_flag(kind, modifiers) | _disco_flag(lane, disco))
    return table


def _disco_flag(lane: int, disco: int) -> int:
    if lane not in (ev.N_RED_DRUM, ev.N_YELLOW_DRUM) or disco == ev.DISCO_FLIP_OFF:
        return 0
    return ev.F_DISCO if disco == ev.DISCO_FLIP_ON else ev.F_DISCO_NOFLIP
