"""Beats tracked again, held tightly, once the tempo level is chosen; kept where notes fit them."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from . import tempo_level

# The tracker that chooses the level follows the notes loosely, so a passage with its notes on
# the off-beats pulls it half a beat over: several beats at a wrong tempo. With the level known
# it is run again at the heard tempo, at that level, held tightly.
UPSAMPLE = 4           # envelope frames per analysis frame: the beat is placed 2.9 ms apart,
                       # not 11.6 (librosa rounds the beat to whole frames)
TIGHTNESS = 8000.0     # librosa's default is 100, for 1x frames
# The level is read from the chosen beats, beat by beat, against the heard tempo: a median
# over this many beats, so a slip of a few beats does not change it.
LEVEL_BEATS = 9
# The heard tempo (an autocorrelation over 4.5 s) wavers by a fraction of a percent where the
# chosen beats hold steady: it is corrected by the median difference over this many beats,
# counting only beats within SLIP of it (further off is the tracker slipping, not the music).
BIAS_BEATS = 17
SLIP = 0.03
LEVELS = np.log2(sorted({r * m for r in tempo_level.RATIOS for m in (0.5, 1.0, 2.0)}))


def target_tempo(chosen: np.ndarray, heard: np.ndarray, frame: float) -> np.ndarray:
    """The tempo (BPM) to track at every frame: the `heard` local tempo (every `frame` seconds)
    at the level of the `chosen` beats, corrected for its small errors by those beats."""
    if len(chosen) < 2:
        return heard
    middles = (chosen[:-1] + chosen[1:]) / 2
    under = heard[np.clip((middles / frame).astype(int), 0, len(heard) - 1)]
    wanted = np.log2(60 / np.diff(chosen) / under)
    nearest = LEVELS[np.argmin(np.abs(wanted[:, None] - LEVELS[None, :]), axis=1)]
    level = _rolling(nearest, LEVEL_BEATS)
    error = np.where(np.abs(wanted - level) <= np.log2(1 + SLIP), wanted - level, np.nan)
    correction = np.nan_to_num(_rolling(error, BIAS_BEATS))
    beat = np.clip(np.searchsorted(chosen, np.arange(len(heard)) * frame) - 1, 0, len(level) - 1)
    return heard * 2 ** (level + correction)[beat]


def _rolling(values: np.ndarray, width: int) -> np.ndarray:
    """Median of each value's `width` neighbours (edges repeated), ignoring NaNs; NaN where all
    are."""
    half = width // 2
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(values, half, mode="edge"),
                                                       2 * half + 1)
    known = ~np.isnan(windows).all(axis=1)
    result = np.full(len(values), np.nan)
    result[known] = np.nanmedian(windows[known], axis=1)
    return result


def better_fit(spans: Sequence[tuple[float, float]], first: Sequence[np.ndarray],
               second: Sequence[np.ndarray], onsets: np.ndarray) -> list[np.ndarray]:
    """For each section (start, end), of its two beat sequences the one under which its
    `onsets` sit better on the grid (the first on a tie): held tightly, the tracker may still
    drift where the heard tempo is a little off."""
    kept = []
    for (start, end), one, other in zip(spans, first, second, strict=True):
        inside = onsets[(onsets >= start) & (onsets < end)]
        if len(other) < 2 or (len(one) >= 2 and tempo_level.grid_fit(one, inside)
                              >= tempo_level.grid_fit(other, inside)):
            kept.append(one)
        else:
            kept.append(other)
    return kept
