"""Fewer notes for lower difficulties: the strongest notes on the strongest beats are kept,
and no two kept notes come closer than the difficulty allows."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from .parts import Level
from .tempo_map import TempoMap


def metric_weight(tick: int, tempo_map: TempoMap, measure_starts: frozenset[int]) -> float:
    """How strong a place in the measure is: downbeat, beat, eighth, anything else."""
    resolution = tempo_map.resolution
    if tick in measure_starts:
        return 1.0
    if tick % resolution == 0:
        return 0.6
    if tick % (resolution // 2) == 0:
        return 0.3
    return 0.0


def thin(ticks: Sequence[int], priorities: Sequence[float], tempo_map: TempoMap,
         level: Level) -> list[int]:
    """Indexes of the notes kept at `level`, in time order."""
    if level.min_beats == 0 and level.min_seconds == 0:
        return list(range(len(ticks)))
    times = [tempo_map.seconds_at(t) for t in ticks]
    kept_times: list[float] = []
    kept: list[int] = []
    most = int(level.share * len(ticks))
    for i in sorted(range(len(ticks)), key=lambda i: -priorities[i]):
        if len(kept) >= most:
            break
        gap = max(level.min_beats * tempo_map.beat_length(ticks[i]), level.min_seconds)
        at = bisect.bisect_left(kept_times, times[i])
        before_ok = at == 0 or times[i] - kept_times[at - 1] >= gap
        after_ok = at == len(kept_times) or kept_times[at] - times[i] >= gap
        if before_ok and after_ok:
            kept_times.insert(at, times[i])
            kept.insert(at, i)
    return kept
