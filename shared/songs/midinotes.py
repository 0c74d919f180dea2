"""One .mid instrument track into raw tracks per difficulty (scan-chart's midi note rules):
the paired events of `midipairing` with their modifier sustains applied, phrases split off and
legacy star power read."""

from __future__ import annotations

import math
from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from . import events as ev
from .midipairing import DIFFS, difficulty_events
from .raw import Phrase, RawTrack

_MODIFIER_SUSTAINS = {
    "drums": frozenset((ev.FORCE_FLAM, ev.YELLOW_TOM_MARKER, ev.BLUE_TOM_MARKER,
                        ev.GREEN_TOM_MARKER)),
    "other": frozenset((ev.FORCE_OPEN, ev.FORCE_TAP, ev.FORCE_STRUM, ev.FORCE_HOPO)),
}
_MODIFIABLE = {
    "fiveFret": frozenset((ev.OPEN, ev.GREEN, ev.RED, ev.YELLOW, ev.BLUE, ev.ORANGE)),
    "sixFret": frozenset((ev.OPEN, ev.BLACK3, ev.BLACK2, ev.BLACK1, ev.WHITE3, ev.WHITE2,
                          ev.WHITE1)),
    "drums": ev.DRUM_EVENTS,
}
_GHOST = {ev.RED_DRUM: ev.RED_GHOST, ev.YELLOW_DRUM: ev.YELLOW_GHOST,
          ev.BLUE_DRUM: ev.BLUE_GHOST,
          ev.FIVE_ORANGE_FOUR_GREEN_DRUM: ev.FIVE_ORANGE_FOUR_GREEN_GHOST,
          ev.FIVE_GREEN_DRUM: ev.FIVE_GREEN_GHOST, ev.KICK: ev.KICK_GHOST,
          ev.KICK_2X: ev.KICK_GHOST}
_ACCENT = {ev.RED_DRUM: ev.RED_ACCENT, ev.YELLOW_DRUM: ev.YELLOW_ACCENT,
           ev.BLUE_DRUM: ev.BLUE_ACCENT,
           ev.FIVE_ORANGE_FOUR_GREEN_DRUM: ev.FIVE_ORANGE_FOUR_GREEN_ACCENT,
           ev.FIVE_GREEN_DRUM: ev.FIVE_GREEN_ACCENT, ev.KICK: ev.KICK_ACCENT,
           ev.KICK_2X: ev.KICK_ACCENT}
_FLEX_VELOCITY = {"easy": (21, 30), "medium": (21, 40), "hard": (21, 50)}
_LANE_PHRASES = (ev.FLEX_LANE_SINGLE, ev.FLEX_LANE_DOUBLE)
_BY_TYPE = itemgetter(2)
_PHRASES = frozenset((ev.STAR_POWER, ev.SOLO_SECTION, ev.REJECTED_STAR_POWER, *_LANE_PHRASES,
                      ev.FREESTYLE_SECTION))


class _Dynamics:
    """ENABLE_CHART_DYNAMICS, once seen in any difficulty, stays on (as in scan-chart)."""

    enabled = False


def _split_modifiers(events: list[list], kind: str,
                     dynamics: _Dynamics) -> tuple[list[list], list[list]]:
    """(notes and zero-length modifiers, phrases); modifier sustains become a modifier on each
    note tick they cover. A difficulty without notes gives nothing at all."""
    sustains = _MODIFIER_SUSTAINS["drums" if kind == "drums" else "other"]
    modifiable = _MODIFIABLE[kind]
    types = set(map(_BY_TYPE, events))
    if types.isdisjoint(modifiable):
        if ev.ENABLE_CHART_DYNAMICS in types:
            dynamics.enabled = True
        return [], []
    has_phrases = not types.isdisjoint(_PHRASES)
    phrases = [e for e in events if e[2] in _PHRASES] if has_phrases else []
    simple = types.isdisjoint(sustains) and not (kind == "drums" and (
        dynamics.enabled or ev.ENABLE_CHART_DYNAMICS in types))
    if simple:
        return ([e for e in events if e[2] not in _PHRASES] if has_phrases else events), phrases
    result, active, latest = [], [], {}
    first_end = math.inf  # the earliest tick at which an active modifier sustain stops
    for event in events:
        tick, _, event_type, velocity, channel = event
        if event_type == ev.ENABLE_CHART_DYNAMICS:
            dynamics.enabled = True
            continue
        if event_type in _PHRASES:
            continue
        if tick >= first_end:  # events come in tick order: an ended sustain stays ended
            active = [m for m in active if tick < _end_of(m)]
            first_end = min(map(_end_of, active), default=math.inf)
        if event_type in sustains:
            active.append(event)
            first_end = min(first_end, _end_of(event))
            continue
        if event_type in modifiable:
            for modifier in active:
                inserted = latest.get(modifier[2])
                if inserted is None or inserted[0] < tick:
                    latest[modifier[2]] = new = [tick, 0, modifier[2], modifier[3], modifier[4]]
                    result.append(new)
            if dynamics.enabled and kind == "drums" and velocity in (1, 127):
                marker = (_GHOST if velocity == 1 else _ACCENT)[event_type]
                result.append([tick, 0, marker, 127, channel])
        result.append(event)
    return result, phrases


def _end_of(sustain: list) -> int:
    """The first tick a modifier sustain no longer covers (a zero-length one covers its own)."""
    return sustain[0] + (sustain[1] or 1)


def _fix_legacy_star_power(phrases: list[list], multiplier_note: int) -> None:
    """GH1/GH2 charts mark star power with note 103: treat solos as star power."""
    star_power = [e for e in phrases if e[2] == ev.STAR_POWER]
    solos = [e for e in phrases if e[2] == ev.SOLO_SECTION]
    if multiplier_note == 103 or (not star_power and len(solos) > 1):
        for solo in solos:
            solo[2] = ev.STAR_POWER
        for phrase in star_power:
            phrase[2] = ev.REJECTED_STAR_POWER


def instrument_tracks(track: bytes, instrument: str, modifiers: Mapping[str, Any],
                      coda: int | None) -> list[RawTrack]:
    """The charted difficulties of one instrument track."""
    kind = ev.instrument_kind(instrument)
    paired = difficulty_events(track, kind)
    dynamics = _Dynamics()
    tracks = []
    for difficulty in DIFFS:
        events, phrases = _split_modifiers(paired[difficulty], kind, dynamics)
        if not events:
            continue
        if kind != "drums" and modifiers["multiplier_note"] != 116:
            _fix_legacy_star_power(phrases, modifiers["multiplier_note"])
        if difficulty in _FLEX_VELOCITY:
            low, high = _FLEX_VELOCITY[difficulty]
            phrases = [e for e in phrases if e[2] not in _LANE_PHRASES or low <= e[3] <= high]
        tracks.append(_raw_track(instrument, difficulty, events, phrases, coda))
    return tracks


def _raw_track(instrument: str, difficulty: str, events: list[list], phrases: list[list],
               coda: int | None) -> RawTrack:
    track = RawTrack(instrument, difficulty, events)
    for tick, length, kind, _, _ in phrases:
        if kind == ev.STAR_POWER:
            track.star_power.append(Phrase(tick, length))
        elif kind == ev.REJECTED_STAR_POWER:
            track.rejected_star_power.append(Phrase(tick, length))
        elif kind == ev.SOLO_SECTION:
            track.solo_sections.append(Phrase(tick, length))
        elif kind in _LANE_PHRASES:
            track.flex_lanes.append(Phrase(tick, length, kind == ev.FLEX_LANE_DOUBLE))
        else:
            track.freestyle_sections.append(Phrase(tick, length, coda is not None and tick >= coda))
    return track
