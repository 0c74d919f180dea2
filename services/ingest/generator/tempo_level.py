"""Which tempo level to count beats at. A beat tracker locks as happily onto half, double or
two thirds of the tempo a charter would write; the level chosen is the one under which the
onsets sit on the chart's grid (whole, half, third and quarter beats), with a prior for beats
of about 140 BPM deciding between levels that fit alike."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

# Of the tracker's own tempo: it may count any multiple of the notes' spacing as the beat.
RATIOS = tuple(sorted({m / k for m in range(1, 7) for k in range(1, 7)},
                      key=lambda r: abs(np.log2(r))))
MIN_BPM, MAX_BPM = 50.0, 320.0
PRIOR_BPM = 140.0
PRIOR_WEIGHT = 0.3       # fit given up per octave away from PRIOR_BPM
# Divisions of the beat a charted note falls on, and how much a note on each counts: the
# simpler the grid that explains the notes, the likelier the level.
GRID = {1: 1.0, 2: 0.9, 4: 0.75, 3: 0.7}
TOLERANCE = 0.015        # seconds an onset may miss its grid line


def options(candidates: Sequence[np.ndarray], onsets: np.ndarray,
            weight: float = 1.0) -> list[tuple[float, np.ndarray]]:
    """(score times `weight`, beats) for each candidate beat sequence, each of its halves and
    its doubling (the tracker's beats are most precise at its own level: halving them keeps
    that precision); candidates too short to judge are taken only when all are."""
    usable = [beats for beats in candidates if len(beats) >= 16]
    levels = [level for beats in usable for level in _relatives(beats)]
    levels = levels or [beats for beats in candidates if len(beats) >= 2]
    return [(weight * score(beats, onsets), beats) for beats in levels]


def _relatives(beats: np.ndarray) -> list[np.ndarray]:
    """The beats themselves, every other beat (either phase) and the beats with midpoints."""
    doubled = np.empty(2 * len(beats) - 1)
    doubled[::2], doubled[1::2] = beats, (beats[:-1] + beats[1:]) / 2
    return [beats, beats[::2], beats[1::2], doubled]


def score(beats: np.ndarray, onsets: np.ndarray) -> float:
    """How much better than chance the onsets sit on the grid, less the prior's cost for the
    beats' tempo."""
    period = float(np.median(np.diff(beats)))
    chance = min(_coverage(period), 0.9)
    fit = (grid_fit(beats, onsets) - chance) / (1 - chance)
    return fit - PRIOR_WEIGHT * abs(np.log2(60 / period / PRIOR_BPM))


def grid_fit(beats: np.ndarray, onsets: np.ndarray) -> float:
    """Mean value of the onsets (within the beats' span) by the grid line each falls on."""
    inside = onsets[(onsets >= beats[0]) & (onsets < beats[-1])]
    if not len(inside):
        return 0.0
    index = np.searchsorted(beats, inside, side="right") - 1
    length = beats[index + 1] - beats[index]
    return float(np.mean(_value((inside - beats[index]) / length, length)))


def _coverage(period: float) -> float:
    """What onsets at random places in a beat would score: the fit that means nothing."""
    return float(np.mean(_value(np.linspace(0, 1, 960, endpoint=False), period)))


def _value(fraction: np.ndarray, period: np.ndarray | float) -> np.ndarray:
    """The weight of the simplest grid line within TOLERANCE of each fraction of a beat."""
    values = [weight * (np.abs(fraction * d - np.round(fraction * d)) / d * period <= TOLERANCE)
              for d, weight in GRID.items()]
    return np.max(values, axis=0)
