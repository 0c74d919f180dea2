"""Generated difficulties written into a `.mid` chart: notes added to the part's own track, at the
difficulty's note range (Rock Band's layout, which scan-chart and Clone Hero read).

Consumes the original `.mid` bytes and the generated parts; emits the file with the new notes merged
into each part's track (every other byte kept). Star power, solos, taps and tom markers are
instrument-wide notes in a `.mid`, so they already cover the new difficulties. Forced HOPOs and
strums get the difficulty's force notes; taps not covered by the part's tap phrase, and open
notes without ENHANCED_OPENS, get a Phase Shift sysex event for that difficulty only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .. import events as ev
from ..drums import FIVE_LANE
from ..errors import ChartParseError
from ..midi import INSTRUMENT_TRACKS, track_name
from ..midifile import read_midi
from .forcing import chord_flag, natural_flags
from .midi_events import join_track, note_off, note_on, replace_tracks, split_track, sysex
from .model import GeneratedNote, GeneratedPart

VELOCITY = 100  # neither 1 (ghost) nor 127 (accent) under chart dynamics
TAP_NOTE = 104
RANGE_START = {  # the lowest note of each difficulty's range, per instrument kind
    "fiveFret": {"easy": 59, "medium": 71, "hard": 83},
    "sixFret": {"easy": 58, "medium": 70, "hard": 82},
    "drums": {"easy": 59, "medium": 71, "hard": 83},
}
_OFFSETS = {
    "fiveFret": {ev.N_OPEN: 0, ev.N_GREEN: 1, ev.N_RED: 2, ev.N_YELLOW: 3, ev.N_BLUE: 4,
                 ev.N_ORANGE: 5, "hopo": 6, "strum": 7},
    "sixFret": {ev.N_OPEN: 0, ev.N_WHITE1: 1, ev.N_WHITE2: 2, ev.N_WHITE3: 3, ev.N_BLACK1: 4,
                ev.N_BLACK2: 5, ev.N_BLACK3: 6, "hopo": 7, "strum": 8},
    "drums": {ev.N_KICK: 1, ev.N_RED_DRUM: 2, ev.N_YELLOW_DRUM: 3, ev.N_BLUE_DRUM: 4,
              ev.N_GREEN_DRUM: 5, "five_green": 6},
}
_SYSEX_DIFFICULTY = {"easy": 0, "medium": 1, "hard": 2}
_SYSEX_OPEN, _SYSEX_TAP = 0x01, 0x04
_ENHANCED_OPENS = (b"\xff\x01\x0eENHANCED_OPENS", b"\xff\x01\x10[ENHANCED_OPENS]")
NEW_OFF, EXISTING, NEW_ON, NEW_INSTANT_OFF = range(4)


def write_mid(data: bytes, parts: Sequence[GeneratedPart], modifiers: Mapping[str, Any],
              resolution: int, drum_type: int | None, sustain_threshold: int) -> bytes:
    """`data` with the notes of each generated part merged into its instrument's track."""
    tracks = read_midi(data).tracks
    bodies = {}
    for instrument in dict.fromkeys(p.instrument for p in parts):
        index = instrument_track_index(tracks, instrument)
        events = split_track(tracks[index])
        added = []
        for part in (p for p in parts if p.instrument == instrument):
            added += _part_events(part, events, modifiers, resolution, drum_type,
                                  sustain_threshold)
        bodies[index] = join_track(_merged(events, added))
    return replace_tracks(data, bodies)


def instrument_track_index(tracks: Sequence[bytes], instrument: str) -> int:
    """The last track named for `instrument` (scan-chart reads every one; new notes go in one)."""
    found = [i for i, track in enumerate(tracks)
             if INSTRUMENT_TRACKS.get(track_name(track) or "") == instrument]
    if not found:
        raise ChartParseError(f"No track holds the {instrument} part.")
    return found[-1]


def _part_events(part: GeneratedPart, track: list[tuple[int, bytes]],
                 modifiers: Mapping[str, Any], resolution: int, drum_type: int | None,
                 sustain_threshold: int) -> list[tuple[int, int, bytes]]:
    kind = ev.instrument_kind(part.instrument)
    start = RANGE_START[kind][part.difficulty]
    offsets = _OFFSETS[kind]
    short = min(resolution // 8, sustain_threshold)  # a note with no sustain
    events: list[tuple[int, int, bytes]] = []

    def note(tick: int, offset: int, length: int) -> None:
        pitch = start + offset
        events.append((tick, NEW_ON, note_on(pitch, VELOCITY)))
        events.append((tick + length, NEW_OFF if length else NEW_INSTANT_OFF, note_off(pitch)))

    def phase_shift(tick: int, code: int) -> None:
        for at, on in ((tick, 1), (tick + 1, 0)):
            body = bytes([0x50, 0x53, 0, 0, _SYSEX_DIFFICULTY[part.difficulty], code, on])
            events.append((at, NEW_ON if on else NEW_OFF, sysex(body)))

    if kind == "drums":
        for generated in part.notes:
            note(generated.tick, _drum_offset(generated, drum_type, offsets), short)
        return events
    enhanced = kind == "sixFret" or any(event in _ENHANCED_OPENS for _, event in track)
    tapped = tap_spans(track)
    natural = natural_flags(part, modifiers, resolution, "mid")
    for tick, notes in part.chords():
        for generated in notes:
            if generated.lane == ev.N_OPEN and not enhanced:
                note(tick, offsets[ev.N_GREEN], generated.length or short)
                phase_shift(tick, _SYSEX_OPEN)
            else:
                note(tick, offsets[generated.lane], generated.length or short)
        wanted = chord_flag(notes)
        if wanted == ev.F_TAP:
            if not covered(tick, tapped):
                phase_shift(tick, _SYSEX_TAP)
        elif wanted != natural[tick]:
            note(tick, offsets["hopo" if wanted == ev.F_HOPO else "strum"], 1)
    return events


def _drum_offset(note: GeneratedNote, drum_type: int | None, offsets: dict) -> int:
    if drum_type == FIVE_LANE and note.lane == ev.N_GREEN_DRUM and note.flags & ev.F_TOM:
        return offsets["five_green"]
    return offsets[note.lane]


def tap_spans(track: list[tuple[int, bytes]]) -> list[tuple[int, int]]:
    """The instrument-wide tap phrases (note 104) of a split track, as (start, end) ticks."""
    spans, opened = [], {}
    for tick, event in track:
        status = event[0]
        if not 0x80 <= status < 0xA0 or event[1] != TAP_NOTE:
            continue
        channel = status & 0x0F
        if status >= 0x90 and event[2]:
            opened.setdefault(channel, []).append(tick)
        elif opened.get(channel):
            spans.append((opened[channel].pop(), tick))
    return spans


def covered(tick: int, spans: list[tuple[int, int]]) -> bool:
    """Whether a tap phrase covers `tick`."""
    return any(start <= tick < end or start == end == tick for start, end in spans)


def _merged(track: list[tuple[int, bytes]],
            added: list[tuple[int, int, bytes]]) -> list[tuple[int, bytes]]:
    """The track's events with (tick, order, event) merged in time order, file order kept."""
    timed = [(tick, EXISTING, position, event) for position, (tick, event) in enumerate(track)]
    timed += [(tick, order, len(track) + index, event)
              for index, (tick, order, event) in enumerate(added)]
    timed.sort(key=lambda item: item[:3])
    return [(tick, event) for tick, _, _, event in timed]
