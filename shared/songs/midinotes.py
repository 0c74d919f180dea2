"""One .mid instrument track into raw tracks per difficulty (scan-chart's midi note rules)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from . import events as ev
from .errors import ChartParseError
from .midifile import META, SYSEX, read_system_event, read_varint
from .raw import Phrase, RawTrack

_DIFFS = ("expert", "hard", "medium", "easy")
_SYSEX_DIFFS = ("easy", "medium", "hard", "expert")
_INSTRUMENT_WIDE = {103: ev.SOLO_SECTION, 104: ev.FORCE_TAP, 109: ev.FORCE_FLAM,
                    110: ev.YELLOW_TOM_MARKER, 111: ev.BLUE_TOM_MARKER, 112: ev.GREEN_TOM_MARKER,
                    116: ev.STAR_POWER, 120: ev.FREESTYLE_SECTION, 126: ev.FLEX_LANE_SINGLE,
                    127: ev.FLEX_LANE_DOUBLE}
_FIVE_FRET = (None, ev.GREEN, ev.RED, ev.YELLOW, ev.BLUE, ev.ORANGE, ev.FORCE_HOPO,
              ev.FORCE_STRUM)
_SIX_FRET = (ev.OPEN, ev.WHITE1, ev.WHITE2, ev.WHITE3, ev.BLACK1, ev.BLACK2, ev.BLACK3,
             ev.FORCE_HOPO, ev.FORCE_STRUM)
_DRUMS = (ev.KICK_2X, ev.KICK, ev.RED_DRUM, ev.YELLOW_DRUM, ev.BLUE_DRUM,
          ev.FIVE_ORANGE_FOUR_GREEN_DRUM, ev.FIVE_GREEN_DRUM)
_DISCO = re.compile(r"\s*\[?mix[ _]([0-3])[ _]drums([0-5])(d|dnoflip|easy|easynokick|)\]?\s*")
_DISCO_TYPES = {"": ev.DISCO_FLIP_OFF, "d": ev.DISCO_FLIP_ON, "dnoflip": ev.DISCO_NO_FLIP_ON}
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
_BY_TICK, _BY_TYPE = itemgetter(0), itemgetter(2)
_PHRASES = frozenset((ev.STAR_POWER, ev.SOLO_SECTION, ev.REJECTED_STAR_POWER, *_LANE_PHRASES,
                      ev.FREESTYLE_SECTION))


def _note_table(kind: str, enhanced_opens: bool) -> dict[int, tuple[str, int]]:
    """MIDI note number -> (difficulty, event type) for this instrument kind."""
    starts = {"fiveFret": (59, 71, 83, 95), "sixFret": (58, 70, 82, 94),
              "drums": (59, 71, 83, 95)}[kind]
    lanes = {"fiveFret": _FIVE_FRET, "sixFret": _SIX_FRET, "drums": _DRUMS}[kind]
    if enhanced_opens and kind == "fiveFret":
        lanes = (ev.OPEN, *lanes[1:])
    return {start + offset: (difficulty, lane)
            for difficulty, start in zip(_SYSEX_DIFFS, starts, strict=True)
            for offset, lane in enumerate(lanes) if lane is not None}


_TABLES = {(kind, opens): _note_table(kind, opens)
           for kind in ("fiveFret", "sixFret", "drums") for opens in (False, True)}


def _difficulty_events(track: bytes, kind: str) -> dict[str, list[list]]:
    """Paired events per difficulty as [tick, length, type, velocity, channel], sorted by tick
    then type (descending).

    scan-chart sorts start/end events by (tick, type desc) and then pairs each end with the
    latest open start of its type on the same channel. Only events of one type interact, and a
    track is already in tick order, so notes are paired in file order here and sorted after.
    """
    ends: dict[str, list[list]] = {"all": [], **{d: [] for d in _DIFFS}}
    events: dict[str, list[list]] = {d: [] for d in _DIFFS}
    others, charted = _decode_and_pair(track, kind, events, ends["all"])
    for _, tick, event, code, data in others:
        if event == SYSEX:
            _sysex(ends, tick, data)
        elif code == 0x01:
            _text_event(ends, tick, data, kind)
    for difficulty in _DIFFS:
        others_ends = ends[difficulty]
        if others_ends or events[difficulty] or difficulty in charted:
            others_ends += (list(e) for e in ends["all"])
            others_ends.sort(key=_BY_TICK)
            events[difficulty] += _pair_ends(others_ends)
        paired = [e for e in events[difficulty] if e[1] != -1]
        paired.sort(key=_BY_TYPE, reverse=True)
        paired.sort(key=_BY_TICK)
        events[difficulty] = paired
    return events


def _note_targets(kind: str, enhanced_opens: bool, events: dict[str, list[list]]) -> list:
    """Per MIDI note number (256 slots, so any data byte indexes it): None when unused, else
    (append to the difficulty's events or None for an instrument-wide note, event type)."""
    targets: list = [None] * 256
    for number, kind_code in _INSTRUMENT_WIDE.items():
        targets[number] = (None, kind_code)
    for number, (difficulty, lane) in _TABLES[(kind, enhanced_opens)].items():
        targets[number] = (events[difficulty].append, lane)
    return targets


def _decode_and_pair(track: bytes, kind: str, events: dict[str, list[list]],
                     wide: list[list]) -> tuple[list[tuple], set[str]]:
    """Decode a track and pair its note-ons with note-offs per (note, channel) in one pass.

    This is `midifile.decode_track` fused with the pairing, because it is the hottest loop of
    .mid reading (tests compare `decode_track` with mido; the corpus conformance test covers
    this). Lookups are lists indexed by note number and by (note, channel), not dicts.
    Returns the meta/sysex events and the difficulties with an end but no start.
    """
    targets = _note_targets(kind, False, events)
    enhanced = False
    others: list[tuple] = []
    open_notes: list = [None] * 4096  # (note << 4 | channel) -> stack of open note-ons
    unmatched: set[int] = set()
    data = track + b"\0\0\0"  # a note cut short by the end of the track reads zeros
    at, end, tick = 0, len(track), 0
    status = channel = skip = -1
    is_note = note_on = False
    while at < end:
        byte = data[at]
        if byte < 0x80:
            tick += byte
            at += 1
        else:
            delta, at = read_varint(track, at)
            tick += delta
        if at >= end:
            raise ChartParseError("A MIDI track ends in the middle of an event.")
        byte = data[at]
        if byte < 0x80:  # running status: this byte is the first data byte
            if not is_note:
                if status < 0:
                    raise ChartParseError("Running status byte encountered before status byte")
                at += skip
                continue
            number, velocity = byte, data[at + 1]
            at += 2
        elif byte < 0xF0:
            status, channel = byte, byte & 0x0F
            is_note, note_on = byte < 0xA0, byte >= 0x90
            if not is_note:
                skip = 1 if 0xC0 <= byte < 0xE0 else 2
                at += 1 + skip
                continue
            number, velocity = data[at + 1], data[at + 2]
            at += 3
        else:
            at = read_system_event(track, at, tick, 0, others)
            if not enhanced and _turns_on_enhanced_opens(others[-1]):
                enhanced = True
                targets = _note_targets(kind, True, events)
            continue
        target = targets[number]
        if target is None:
            continue
        append, lane = target
        if append is None:
            wide.append([tick, lane, velocity, channel, note_on and velocity > 0])
            continue
        key = number << 4 | channel
        if note_on and velocity:
            event = [tick, -1, lane, velocity, channel]
            append(event)
            stack = open_notes[key]
            if stack is None:
                open_notes[key] = [event]
            else:
                stack.append(event)
        elif stack := open_notes[key]:
            event = stack.pop()
            event[1] = tick - event[0]
        else:
            unmatched.add(number)
    tables = _TABLES[(kind, enhanced)]
    return others, {tables[number][0] for number in unmatched}


def _turns_on_enhanced_opens(event: tuple) -> bool:
    _, _, kind, code, data = event
    return kind == META and code == 0x01 and data in (b"ENHANCED_OPENS", b"[ENHANCED_OPENS]")


def _text_event(ends: dict[str, list[list]], tick: int, data: bytes, kind: str) -> None:
    """Disco flips (drums) and chart dynamics from a text event."""
    text = data.decode("latin-1")
    if kind == "drums" and (match := _DISCO.fullmatch(text)):
        disco = _DISCO_TYPES.get(match.group(3))
        if disco is not None:
            bucket = ends[_SYSEX_DIFFS[int(match.group(1))]]
            bucket += [[tick, disco, 127, 1, True], [tick, disco, 127, 1, False]]
    if text in ("ENABLE_CHART_DYNAMICS", "[ENABLE_CHART_DYNAMICS]"):
        ends["all"] += [[tick, ev.ENABLE_CHART_DYNAMICS, 127, 1, True],
                        [tick, ev.ENABLE_CHART_DYNAMICS, 127, 1, False]]


def _sysex(ends: dict[str, list[list]], tick: int, data: bytes) -> None:
    """Phase Shift sysex: open notes and taps for one difficulty or all."""
    if len(data) <= 6 or data[:4] != b"PS\x00\x00":
        return
    kind = {0x01: ev.FORCE_OPEN, 0x04: ev.FORCE_TAP}.get(data[5])
    if kind is None:
        return
    if data[4] != 0xFF and data[4] > 3:
        raise ChartParseError(f"A Phase Shift sysex event names difficulty {data[4]}.")
    target = "all" if data[4] == 0xFF else _SYSEX_DIFFS[data[4]]
    ends[target].append([tick, kind, 127, 1, data[6] == 0x01])


def _pair_ends(ends: list[list]) -> list[list]:
    """Join starts with their ends (latest open start of the type on the same channel)."""
    events, open_by_type = [], {}
    for tick, kind, velocity, channel, is_start in ends:
        if is_start:
            event = [tick, -1, kind, velocity, channel]
            open_by_type.setdefault(kind, []).append(event)
            events.append(event)
        elif opened := open_by_type.get(kind):
            for index in range(len(opened) - 1, -1, -1):
                if opened[index][4] == channel:
                    start = opened.pop(index)
                    start[1] = tick - start[0]
                    break
    return events


class _Dynamics:
    """ENABLE_CHART_DYNAMICS, once seen in any difficulty, stays on (as in scan-chart)."""

    enabled = False


def _split_modifiers(events: list[list], kind: str,
                     dynamics: _Dynamics) -> tuple[list[list], list[list]]:
    """(notes and zero-length modifiers, phrases); modifier sustains become a modifier on each
    note tick they cover. A difficulty without notes gives nothing at all."""
    sustains = _MODIFIER_SUSTAINS["drums" if kind == "drums" else "other"]
    modifiable = _MODIFIABLE[kind]
    types = {e[2] for e in events}
    if not types & modifiable:
        if ev.ENABLE_CHART_DYNAMICS in types:
            dynamics.enabled = True
        return [], []
    phrases = [e for e in events if e[2] in _PHRASES] if types & _PHRASES else []
    simple = not types & sustains and not (kind == "drums" and (
        dynamics.enabled or ev.ENABLE_CHART_DYNAMICS in types))
    if simple:
        return [e for e in events if e[2] not in _PHRASES], phrases
    result, active, latest = [], [], {}
    for event in events:
        tick, _, event_type, velocity, channel = event
        if event_type == ev.ENABLE_CHART_DYNAMICS:
            dynamics.enabled = True
            continue
        if event_type in _PHRASES:
            continue
        if active:
            active = [m for m in active
                      if not (m[0] + m[1] < tick if m[1] == 0 else m[0] + m[1] <= tick)]
        if event_type in sustains:
            active.append(event)
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
    paired = _difficulty_events(track, kind)
    dynamics = _Dynamics()
    tracks = []
    for difficulty in _DIFFS:
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
