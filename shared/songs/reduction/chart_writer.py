"""Generated difficulties written into `.chart` text as new `[HardSingle]`-like sections.

Consumes the original `.chart` bytes and the generated parts; emits the bytes with one section
per generated part appended (every other byte unchanged). A section repeats its Expert
section's star power, solo, activation-lane and flex-lane lines, and forces (N 5) or taps (N 6)
the chords whose state differs from what spacing alone would give.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .. import events as ev
from ..chart import TRACK_NAMES, file_sections
from ..drums import FIVE_LANE, FOUR_LANE_PRO
from ..text import decode_text
from .forcing import chord_flag, natural_flags
from .model import GeneratedPart

SECTION_NAMES = {value: name for name, value in TRACK_NAMES.items()}
_FIVE_FRET_CODES = {ev.N_GREEN: 0, ev.N_RED: 1, ev.N_YELLOW: 2, ev.N_BLUE: 3, ev.N_ORANGE: 4,
                    ev.N_OPEN: 7}
_SIX_FRET_CODES = {ev.N_WHITE1: 0, ev.N_WHITE2: 1, ev.N_WHITE3: 2, ev.N_BLACK1: 3,
                   ev.N_BLACK2: 4, ev.N_BLACK3: 8, ev.N_OPEN: 7}
_DRUM_CODES = {ev.N_KICK: 0, ev.N_RED_DRUM: 1, ev.N_YELLOW_DRUM: 2, ev.N_BLUE_DRUM: 3,
               ev.N_GREEN_DRUM: 4}
_CYMBAL_MARKERS = {ev.N_YELLOW_DRUM: 66, ev.N_BLUE_DRUM: 67, ev.N_GREEN_DRUM: 68}
FORCE_UNNATURAL, FORCE_TAP = 5, 6
# Expert lines that belong to every difficulty: star power, activation and flex lanes, solos
_PHRASE_LINE = re.compile(r"^\s*\d+ = (?:S (?:2|64|65|66) \d+|E solo|E soloend)\s*$")


def write_chart(data: bytes, parts: Sequence[GeneratedPart], modifiers: Mapping[str, Any],
                resolution: int, drum_type: int | None) -> bytes:
    """`data` with a section for each generated part appended."""
    text = decode_text(data)
    sections = file_sections(text)
    newline = "\r\n" if "\r\n" in text else "\n"
    blocks = []
    for part in parts:
        expert = sections.get(SECTION_NAMES[(part.instrument, "expert")], "")
        phrases = [(int(line.split("=")[0]), line.strip()) for line in expert.split("\n")
                   if _PHRASE_LINE.match(line)]
        lines = _note_lines(part, modifiers, resolution, drum_type) + phrases
        lines.sort(key=lambda line: line[0])
        body = "".join(f"  {line}{newline}" for _, line in lines)
        name = SECTION_NAMES[(part.instrument, part.difficulty)]
        blocks.append(f"[{name}]{newline}{{{newline}{body}}}{newline}")
    addition = "".join(blocks)
    if not text.endswith("\n"):
        addition = newline + addition
    if data[:2] == b"\xff\xfe":
        return data + addition.encode("utf-16-le")
    if data[:2] == b"\xfe\xff":
        return data + addition.encode("utf-16-be")
    return data + addition.encode("ascii")


def _note_lines(part: GeneratedPart, modifiers: Mapping[str, Any], resolution: int,
                drum_type: int | None) -> list[tuple[int, str]]:
    if part.instrument == "drums":
        return _drum_lines(part, drum_type)
    codes = _SIX_FRET_CODES if part.instrument in ev.SIX_FRET else _FIVE_FRET_CODES
    natural = natural_flags(part, modifiers, resolution, "chart")
    lines = []
    for tick, notes in part.chords():
        lines += [(tick, f"{tick} = N {codes[n.lane]} {n.length}") for n in notes]
        wanted = chord_flag(notes)
        if wanted == ev.F_TAP:
            lines.append((tick, f"{tick} = N {FORCE_TAP} 0"))
        elif wanted != natural[tick]:
            lines.append((tick, f"{tick} = N {FORCE_UNNATURAL} 0"))
    return lines


def _drum_lines(part: GeneratedPart, drum_type: int | None) -> list[tuple[int, str]]:
    lines = []
    for note in sorted(part.notes):
        code = _DRUM_CODES[note.lane]
        if drum_type == FIVE_LANE and note.lane == ev.N_GREEN_DRUM and note.flags & ev.F_TOM:
            code = 5  # five-lane green; 4 is orange, a cymbal
        lines.append((note.tick, f"{note.tick} = N {code} 0"))
        if drum_type == FOUR_LANE_PRO and note.flags & ev.F_CYMBAL:
            lines.append((note.tick, f"{note.tick} = N {_CYMBAL_MARKERS[note.lane]} 0"))
    return lines
