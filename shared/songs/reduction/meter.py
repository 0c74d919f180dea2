"""Where a tick sits in the measure (downbeat, beat, eighth, ...) and picking the strongest notes.

A reduction keeps, among notes too close together for a difficulty, the one on the strongest
metrical position: downbeats first, then the middle of the measure, beats, eighths, sixteenths.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Sequence
from dataclasses import dataclass

DOWNBEAT, HALF_MEASURE, BEAT, EIGHTH, SIXTEENTH, THIRTY_SECOND, OFF_GRID = range(7)
SLACK_PER_BEAT = 64  # a note a 64th of a beat off the grid (an unquantized chart) is on it


@dataclass(frozen=True)
class Signature:
    """A time signature from `tick` on, with the tick of its first full measure."""

    tick: int
    numerator: int
    denominator: int


class Meter:
    """Metrical level of ticks under a chart's time signatures."""

    def __init__(self, resolution: int, signatures: Sequence[Signature]):
        self.resolution = resolution
        self.signatures = list(signatures) or [Signature(0, 4, 4)]
        self._starts = [s.tick for s in self.signatures]

    def beat_ticks(self, tick: int) -> float:
        """Ticks per beat (a quarter note in 4/4, an eighth in 6/8) at `tick`."""
        signature = self._signature(tick)
        return self.resolution * 4 / signature.denominator

    def level(self, tick: int) -> int:
        """DOWNBEAT .. OFF_GRID: the strongest metrical position `tick` falls on."""
        signature = self._signature(tick)
        beat = self.resolution * 4 / signature.denominator
        measure = beat * signature.numerator
        slack = self.resolution / SLACK_PER_BEAT
        offset = (tick - signature.tick + slack) % measure - slack
        if abs(offset) <= slack:
            return DOWNBEAT
        if signature.numerator % 2 == 0 and abs(offset - measure / 2) <= slack:
            return HALF_MEASURE
        for level, division in ((BEAT, 1), (EIGHTH, 2), (SIXTEENTH, 4), (SIXTEENTH, 3),
                                (THIRTY_SECOND, 8), (THIRTY_SECOND, 6)):
            step = beat / division
            if abs(offset - step * round(offset / step)) <= slack:
                return level
        return OFF_GRID

    def measure_start(self, tick: int) -> int:
        """The tick of the measure holding `tick` (rounded down to a whole tick)."""
        signature = self._signature(tick)
        measure = self.resolution * 4 / signature.denominator * signature.numerator
        slack = self.resolution / SLACK_PER_BEAT
        return int(tick - (tick - signature.tick + slack) % measure + slack)

    def _signature(self, tick: int) -> Signature:
        return self.signatures[max(0, bisect_right(self._starts, tick) - 1)]


class TempoMap:
    """Milliseconds at any tick, in any order (scan-chart's Clock only moves forward)."""

    def __init__(self, tempos: Sequence, resolution: int):
        self.tempos = list(tempos)
        self.resolution = resolution
        self._starts = [t.tick for t in self.tempos]

    def ms(self, tick: float) -> float:
        """Milliseconds at `tick`."""
        tempo = self.tempos[max(0, bisect_right(self._starts, tick) - 1)]
        return tempo.ms_time + (tick - tempo.tick) * 60000 / (tempo.bpm * self.resolution)


def meter_of(resolution: int, time_signatures: Sequence) -> Meter:
    """A Meter from scan-chart markers (`tick`, `numerator`, `denominator`), bad ones skipped."""
    kept = [Signature(m.tick, m.numerator, m.denominator) for m in time_signatures
            if m.numerator > 0 and m.denominator > 0 and m.denominator != float("inf")]
    return Meter(resolution, kept)


def pick_spaced(ticks: Sequence[int], times: Sequence[float], levels: Sequence[int],
                must_keep: Sequence[bool], min_ticks: Sequence[float],
                min_ms: float) -> list[int]:
    """Indexes of the notes kept: strongest positions first, each at least `min_ticks[i]` ticks
    and `min_ms` milliseconds from any note already kept. `must_keep` notes are kept first,
    whatever their spacing (a phrase must not end up empty)."""
    order = sorted(range(len(ticks)), key=lambda i: (not must_keep[i], levels[i], i))
    kept_ticks: list[int] = []
    kept_times: list[float] = []
    kept: list[int] = []
    for index in order:
        tick, time = ticks[index], times[index]
        if not must_keep[index]:
            at = bisect_left(kept_ticks, tick)
            neighbours = [j for j in (at - 1, at) if 0 <= j < len(kept_ticks)]
            if any(abs(kept_ticks[j] - tick) < min_ticks[index]
                   or abs(kept_times[j] - time) < min_ms for j in neighbours):
                continue
        at = bisect_left(kept_ticks, tick)
        kept_ticks.insert(at, tick)
        kept_times.insert(at, time)
        insort(kept, index)
    return kept
