"""Pitches → frets: the melody's movement becomes movement along the fretboard."""

from __future__ import annotations

from collections.abc import Sequence

WINDOW = 8        # notes either side that set the local pitch range
NARROWEST = 7     # semitones: a narrower range keeps to the middle frets


def expert_frets(pitches: Sequence[int]) -> list[int]:
    """Frets 0 (green) to 4 (orange): higher notes to the right, within the local range, and
    every step up or down in pitch a step the same way on the frets."""
    frets: list[int] = []
    for i, pitch in enumerate(pitches):
        local = pitches[max(0, i - WINDOW): i + WINDOW + 1]
        low, high = min(local), max(local)
        span = max(high - low, NARROWEST)
        margin = (span - (high - low)) / 2
        fret = round(4 * (pitch - low + margin) / span)
        if frets:
            fret = _same_direction(fret, frets[-1], pitch - pitches[i - 1])
        frets.append(fret)
    return frets


def _same_direction(fret: int, previous: int, step: int) -> int:
    if step == 0:
        return previous
    if step > 0 and fret <= previous:
        return min(previous + 1, 4)
    if step < 0 and fret >= previous:
        return max(previous - 1, 0)
    return fret


def fewer_frets(fret: int, count: int) -> int:
    """A fret on a fretboard of only `count` frets, keeping its place from low to high."""
    return round(fret * (count - 1) / 4)


def chord(fret: int, size: int, count: int) -> tuple[int, ...]:
    """`size` neighbouring frets starting at `fret`, shifted down to fit `count` frets."""
    first = min(fret, count - size)
    return tuple(range(first, first + size))
