"""Beat times → the chart's tempo map in ticks: one tempo event where the tempo changes, the
time signature (with a pickup measure when the music starts mid-measure), and conversions
between seconds and ticks that agree with what Clone Hero computes from the map."""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from itertools import pairwise

RESOLUTION = 480
DRIFT_LIMIT = 0.001   # seconds the chart's beats may drift from the heard beats


@dataclass(frozen=True)
class TempoMap:
    resolution: int
    beat_times: tuple[float, ...]         # seconds of beat i (tick i * resolution) in the chart
    tempos: tuple[tuple[int, int], ...]   # (tick, tempo in thousandths of a BPM)
    signatures: tuple[tuple[int, int], ...]  # (tick, beats per measure), in quarter notes

    def tick_at(self, seconds: float) -> int:
        beats = self.beat_times
        i = min(max(bisect.bisect_right(beats, seconds) - 1, 0), len(beats) - 2)
        fraction = (seconds - beats[i]) / (beats[i + 1] - beats[i])
        return max(0, round((i + fraction) * self.resolution))

    def seconds_at(self, tick: int) -> float:
        beats = self.beat_times
        i = min(tick // self.resolution, len(beats) - 2)
        fraction = tick / self.resolution - i
        return beats[i] + fraction * (beats[i + 1] - beats[i])

    def beat_length(self, tick: int) -> float:
        """Seconds of the beat holding `tick`."""
        i = min(tick // self.resolution, len(self.beat_times) - 2)
        return self.beat_times[i + 1] - self.beat_times[i]

    def measure_ticks(self) -> list[int]:
        """Ticks of every measure start, through the end of the map."""
        end = (len(self.beat_times) - 1) * self.resolution
        starts, changes = [], [*self.signatures, (end, 1)]
        for (tick, per_measure), (next_tick, _) in pairwise(changes):
            starts.extend(range(tick, next_tick, per_measure * self.resolution))
        return starts


def build(beats: list[float], per_measure: int, first_downbeat: int,
          duration: float) -> TempoMap:
    """The tempo map of tracked `beats` stretched to cover 0 s through past `duration`."""
    grid, shift = _from_zero(list(beats))
    period = grid[-1] - grid[-2]
    while grid[-1] < duration + 2 * period:
        grid.append(grid[-1] + period)
    tempos, chart_beats = _tempo_events(grid)
    pickup = (first_downbeat + shift) % per_measure
    signatures = [(0, per_measure)] if not pickup else [(0, pickup),
                                                        (pickup * RESOLUTION, per_measure)]
    return TempoMap(RESOLUTION, tuple(chart_beats), tuple(tempos), tuple(signatures))


def _from_zero(beats: list[float]) -> tuple[list[float], int]:
    """Beats extended back to 0 s (so tick 0 is the start of the audio), and how many beats
    were added in front of the first tracked one."""
    period = beats[1] - beats[0]
    added = 0
    while beats[0] - period >= 0.5 * period:
        beats.insert(0, beats[0] - period)
        added += 1
    if beats[0] < 0.5 * period:  # too short a first beat: fold it into the next
        beats.pop(0)
        added -= 1
    return [0.0, *beats], added + 1


def _tempo_events(grid: list[float]) -> tuple[list[tuple[int, int]], list[float]]:
    """Tempo events in milli-BPM, and the beat times they actually produce. A new event comes
    only when the current tempo would miss the next heard beat by more than DRIFT_LIMIT."""
    tempos: list[tuple[int, int]] = []
    chart = [0.0]
    for i in range(len(grid) - 1):
        wanted = grid[i + 1] - chart[i]
        current = 60.0 / (tempos[-1][1] / 1000) if tempos else None
        if current is None or abs(current - wanted) > DRIFT_LIMIT:
            tempos.append((i * RESOLUTION, round(60_000 / _steady_beat(grid, chart[i], i))))
            current = 60.0 / (tempos[-1][1] / 1000)
        chart.append(chart[i] + current)
    return tempos, chart


def _steady_beat(grid: list[float], start: float, i: int) -> float:
    """The beat length that, from chart time `start` at beat `i`, stays within DRIFT_LIMIT of
    the most heard beats after it. Landing on the next beat alone would take up the whole
    drift in one beat, and the beats after it would then miss by as much the other way: a new
    event every other beat."""
    low, high = -float("inf"), float("inf")
    best = grid[i + 1] - start
    for j in range(i + 1, len(grid)):
        length = (grid[j] - start) / (j - i)
        if not low <= length <= high:
            break
        best = length
        low = max(low, (grid[j] - DRIFT_LIMIT - start) / (j - i))
        high = min(high, (grid[j] + DRIFT_LIMIT - start) / (j - i))
    return best


GRIDS = (RESOLUTION // 4, RESOLUTION // 3)   # sixteenths and eighth-note triplets
FINE_GRID = RESOLUTION // 8
SNAP_SECONDS = 0.03


def snapped(tempo_map: TempoMap, seconds: float) -> int:
    """The tick of a sound at `seconds`, on the sixteenth or triplet grid when one is near
    (charts read best on the grid), else on the thirty-second grid."""
    tick = tempo_map.tick_at(seconds)
    beat = tempo_map.beat_length(tick)
    best = min((round(tick / grid) * grid for grid in GRIDS), key=lambda t: abs(t - tick))
    if abs(best - tick) / tempo_map.resolution * beat <= SNAP_SECONDS:
        return best
    return round(tick / FINE_GRID) * FINE_GRID
