"""The tempo level chosen section by section, consistently through the song."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

import numpy as np

# The local tempo path moves to another metrical level (half, double, two thirds, ...) where a
# part of the song sounds that way, and one level for the whole song then counts that part at
# the wrong one. A jump of this many octaves between two measurements starts a new section,
# whose level is chosen on its own; smaller changes are the music's tempo following its course.
# The smallest such move is to 4/5 of the tempo (0.32 octaves: five sixteenths counted as a beat
# in an even run of them).
JUMP = 0.3
MIN_SECTION = 6.0        # seconds: shorter sections hold too few notes to judge a level by
# A section's tempo either continues the one before (the tracker changed level, the music did
# not) or moves as the heard tempo moved (the music changed tempo): fit given up per octave by
# which it strays from the nearer of the two.
STRAY_COST = 0.4
# Fit given up per octave, rounded, of change between neighbours' tempos: a charter keeps one
# metrical level through the song, so a section moves to double, half or 3/2 the tempo only
# when its notes clearly ask for it.
LEVEL_CHANGE_COST = 0.3


def bounds(path: np.ndarray, step: float, duration: float) -> list[float]:
    """Start times of the sections of a local tempo `path` measured every `step` seconds, and
    `duration` last; every section lasts at least MIN_SECTION (short ones join the one before)."""
    octaves = np.abs(np.diff(np.log2(path)))
    cuts = [0.0]
    for index in np.flatnonzero(octaves > JUMP):
        time = (index + 0.5) * step
        if time - cuts[-1] >= MIN_SECTION and duration - time >= MIN_SECTION:
            cuts.append(float(time))
    return [*cuts, duration]


def choose(options: Sequence[Sequence[tuple[float, np.ndarray]]],
           heard: Sequence[float]) -> np.ndarray:
    """One (score, beats) option per section, maximising the summed scores less the cost of each
    tempo change between neighbours (Viterbi), given each section's `heard` local tempo; their
    beats joined. Sections without options are left out."""
    kept = [(row, tempo) for row, tempo in zip(options, heard, strict=True) if row]
    if not kept:
        return np.zeros(0)
    total = np.array([score for score, _ in kept[0][0]])
    back = []
    for (before, was), (row, now) in pairwise(kept):
        change = np.log2(np.array([[_period(b) for _, b in before]]).T
                         / np.array([[_period(b) for _, b in row]]))
        paths = total[:, None] - change_cost(change, float(np.log2(now / was)))
        back.append(np.argmax(paths, axis=0))
        total = paths.max(axis=0) + np.array([score for score, _ in row])
    picks = [int(np.argmax(total))]
    for pointers in reversed(back):
        picks.append(int(pointers[picks[-1]]))
    return join([row[pick][1] for (row, _), pick in zip(kept, picks[::-1], strict=True)])


def change_cost(octaves: np.ndarray, heard: float) -> np.ndarray:
    """The cost of tempo changes by `octaves` where the local tempo changed by `heard` octaves."""
    stray = np.minimum(np.abs(octaves), np.abs(octaves - heard))
    return STRAY_COST * stray + LEVEL_CHANGE_COST * np.abs(np.round(octaves))


def join(parts: Sequence[np.ndarray]) -> np.ndarray:
    """Sections' beats end to end. Each section's tracker starts afresh at its edge, so a next
    section's beats within half a beat of the last one kept are dropped, and a gap of two or
    more beats across the edge is filled evenly (the music does not skip a beat there)."""
    beats: list[float] = []
    for part in parts:
        if beats and len(part) > 1:
            part = part[part - beats[-1] >= 0.5 * _period(part)]
            gap = part[0] - beats[-1] if len(part) else 0.0
            count = round(gap / _period(part)) if len(part) > 1 else 1
            beats.extend(beats[-1] + gap * np.arange(1, count) / max(count, 1))
        beats.extend(float(b) for b in part)
    return np.asarray(beats)


def _period(beats: np.ndarray) -> float:
    return float(np.median(np.diff(beats))) if len(beats) > 1 else 1.0
