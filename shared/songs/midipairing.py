"""A .mid instrument track's note-ons and note-offs decoded and paired into events per
difficulty (scan-chart's pairing rules), with its text and sysex modifiers. `midinotes`
turns these events into raw tracks."""

from __future__ import annotations

import re
from operator import itemgetter

from . import events as ev
from .errors import ChartParseError
from .midifile import META, SYSEX, read_system_event, read_varint

DIFFS = ("expert", "hard", "medium", "easy")  # the order raw tracks come in
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
_BY_TICK, _BY_TYPE = itemgetter(0), itemgetter(2)


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


def difficulty_events(track: bytes, kind: str) -> dict[str, list[list]]:
    """Paired events per difficulty as [tick, length, type, velocity, channel], sorted by tick
    then type (descending).

    scan-chart sorts start/end events by (tick, type desc) and then pairs each end with the
    latest open start of its type on the same channel. Only events of one type interact, and a
    track is already in tick order, so notes are paired in file order here and sorted after.
    """
    ends: dict[str, list[list]] = {"all": [], **{d: [] for d in DIFFS}}
    events: dict[str, list[list]] = {d: [] for d in DIFFS}
    others, charted = _decode_and_pair(track, kind, events, ends["all"])
    for _, tick, event, code, data in others:
        if event == SYSEX:
            _sysex(ends, tick, data)
        elif code == 0x01:
            _text_event(ends, tick, data, kind)
    for difficulty in DIFFS:
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
