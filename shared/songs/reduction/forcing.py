"""Which generated chords need a force marker: their HOPO/strum state, as a reader would derive it
from spacing alone, compared with the state the reduction asked for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import events as ev
from ..frets import resolve_fret_groups
from .model import GeneratedPart

_RAW_FRET = {note: raw for raw, note in ev.FRET_NOTE_TYPE.items()}


def natural_flags(part: GeneratedPart, modifiers: Mapping[str, Any], resolution: int,
                  fmt: str) -> dict[int, int]:
    """Tick -> F_STRUM or F_HOPO for each chord of `part` with no force marker."""
    chords = part.chords()
    groups = [[[tick, note.length, _RAW_FRET[note.lane]] for note in notes]
              for tick, notes in chords]
    resolved = resolve_fret_groups(groups, modifiers, resolution, fmt)
    return {group[0][0]: group[0][3] for group in resolved}


def chord_flag(notes) -> int:
    """The flag the reduction asked for a chord (the same on each of its notes)."""
    return notes[0].flags
