"""Generated difficulties taken out of a chart file again, leaving Expert-only parts as they were.

Consumes chart bytes with generated difficulties and the instruments they were generated for;
emits the bytes without them: a `.chart` loses those sections (byte for byte the file it was
before, when that ended with a line break), a `.mid` loses every note and Phase Shift sysex
event of the lower difficulties in those instruments' tracks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .. import events as ev
from ..midifile import read_midi
from .chart_writer import SECTION_NAMES
from .mid_writer import RANGE_START, instrument_track_index
from .midi_events import join_track, replace_tracks, split_track
from .model import GENERATED_DIFFICULTIES

_RANGE_SIZE = 9  # notes from a difficulty's lowest (open) to its strum marker
_PHASE_SHIFT = b"\xf0"


def remove_generated(data: bytes, fmt: str, instruments: Iterable[str]) -> bytes:
    """`data` without the Hard, Medium and Easy difficulties of `instruments`."""
    instruments = list(instruments)
    if fmt == "mid":
        return _remove_from_mid(data, instruments)
    return _remove_from_chart(data, instruments)


def _remove_from_chart(data: bytes, instruments: list[str]) -> bytes:
    names = [SECTION_NAMES[(i, d)] for i in instruments for d in GENERATED_DIFFICULTIES]
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16-le" if data[:2] == b"\xff\xfe" else "utf-16-be"
        return data[:2] + _remove_from_chart(data[2:].decode(encoding).encode(), instruments) \
            .decode().encode(encoding)
    pattern = re.compile(rb"\[(?:" + b"|".join(n.encode() for n in names)
                         + rb")\]\r?\n\{[^}]*\}(?:\r?\n)?")
    return pattern.sub(b"", data)


def _remove_from_mid(data: bytes, instruments: list[str]) -> bytes:
    tracks = read_midi(data).tracks
    bodies = {}
    for instrument in instruments:
        index = instrument_track_index(tracks, instrument)
        low = min(RANGE_START[ev.instrument_kind(instrument)].values())
        high = max(RANGE_START[ev.instrument_kind(instrument)].values()) + _RANGE_SIZE
        kept = [(tick, event) for tick, event in split_track(tracks[index])
                if not _lower_difficulty(event, low, high)]
        bodies[index] = join_track(kept)
    return replace_tracks(data, bodies)


def _lower_difficulty(event: bytes, low: int, high: int) -> bool:
    if 0x80 <= event[0] < 0xA0:
        return low <= event[1] < high
    if event[:1] == _PHASE_SHIFT:
        body = event[event.index(b"PS\x00\x00"):] if b"PS\x00\x00" in event else b""
        return len(body) > 4 and body[4] in (0, 1, 2)
    return False
