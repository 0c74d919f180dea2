"""Pitches → frets: the melody's movement becomes movement along the fretboard."""

from __future__ import annotations

from collections.abc import Sequence

WINDOW = 8        # notes either side that set the local pitch range
NARROWEST = 7     # semitones: a narrower range keeps to the middle frets


HELD = 1.0        # cost of a fret held while the pitch moves, in frets away from the target
AGAINST = 4.0     # cost of a fret step against the melody's step


def expert_frets(pitches: Sequence[int]) -> list[int]:
    """Frets 0 (green) to 4 (orange): each note near its place in the local pitch range, and
    steps up or down in pitch stepping the same way on the frets wherever that can be done
    (the best path through the frets, found by dynamic programming)."""
    targets = [_target(pitches, i) for i in range(len(pitches))]
    if not targets:
        return []
    costs = [abs(fret - targets[0]) for fret in range(5)]
    back: list[list[int]] = []
    for i in range(1, len(pitches)):
        step = pitches[i] - pitches[i - 1]
        choices = [min(range(5), key=lambda p, f=fret: costs[p] + _mismatch(step, f - p))
                   for fret in range(5)]
        costs = [costs[p] + _mismatch(step, fret - p) + abs(fret - targets[i])
                 for fret, p in enumerate(choices)]
        back.append(choices)
    frets = [min(range(5), key=lambda f: costs[f])]
    for choices in reversed(back):
        frets.append(choices[frets[-1]])
    return frets[::-1]


def _target(pitches: Sequence[int], i: int) -> float:
    """Where the note sits in the range of the notes around it, as a fret from 0 to 4."""
    local = pitches[max(0, i - WINDOW): i + WINDOW + 1]
    low, high = min(local), max(local)
    span = max(high - low, NARROWEST)
    return 4 * (pitches[i] - low + (span - (high - low)) / 2) / span


def _mismatch(pitch_step: int, fret_step: int) -> float:
    if pitch_step == 0:
        return HELD if fret_step else 0.0
    if fret_step == 0:
        return HELD
    return 0.0 if (pitch_step > 0) == (fret_step > 0) else AGAINST


def fewer_frets(fret: int, count: int) -> int:
    """A fret on a fretboard of only `count` frets, keeping its place from low to high."""
    return round(fret * (count - 1) / 4)


def chord(fret: int, size: int, count: int) -> tuple[int, ...]:
    """`size` neighbouring frets starting at `fret`, shifted down to fit `count` frets."""
    first = min(fret, count - size)
    return tuple(range(first, first + size))
