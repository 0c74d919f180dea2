"""Ticks to milliseconds through the tempo map, computed in scan-chart's exact float order."""

from __future__ import annotations

from collections.abc import Iterable


class Tempo:
    """A tempo marker with the time it starts at."""

    __slots__ = ("bpm", "ms_time", "tick")

    def __init__(self, tick: int, bpm: float, ms_time: float = 0.0):
        self.tick, self.bpm, self.ms_time = tick, bpm, ms_time


def timed_tempos(tempos: Iterable[tuple[int, float]], resolution: float) -> list[Tempo]:
    """Each tempo with its start time (scan-chart's getTimedTempos, file order kept)."""
    timed = [Tempo(0, 120.0, 0.0)]
    for tick, bpm in tempos:
        last = timed[-1]
        ms = last.ms_time + ((tick - last.tick) * 60000) / (last.bpm * resolution)
        timed.append(Tempo(tick, bpm, ms))
    if len(timed) > 1 and timed[1].tick == 0:
        timed.pop(0)
    return timed


class Clock:
    """Converts ticks in ascending order; like scan-chart, it never looks back in the tempo map."""

    __slots__ = ("index", "resolution", "tempos")

    def __init__(self, tempos: list[Tempo], resolution: float):
        self.tempos, self.resolution, self.index = tempos, resolution, 0

    def ms(self, tick: int) -> float:
        """Milliseconds at `tick` (moving the tempo cursor forward)."""
        tempos, index = self.tempos, self.index
        while index + 1 < len(tempos) and tempos[index + 1].tick <= tick:
            index += 1
        self.index = index
        tempo = tempos[index]
        return tempo.ms_time + ((tick - tempo.tick) * 60000) / (tempo.bpm * self.resolution)

    def times(self, ticks: Iterable[int]) -> list[float]:
        """Milliseconds of ascending ticks (a faster `ms` for many ticks)."""
        tempos, index, resolution = self.tempos, self.index, self.resolution
        last = len(tempos) - 1
        next_tick = tempos[index + 1].tick if index < last else None
        tempo = tempos[index]
        result = []
        for tick in ticks:
            if next_tick is not None and next_tick <= tick:
                while index < last and tempos[index + 1].tick <= tick:
                    index += 1
                tempo = tempos[index]
                next_tick = tempos[index + 1].tick if index < last else None
            result.append(tempo.ms_time + ((tick - tempo.tick) * 60000) / (tempo.bpm * resolution))
        self.index = index
        return result

    def ms_length(self, start_ms: float, tick: int, length: int) -> float:
        """Milliseconds spanned by `length` ticks from `tick` (0 for no length)."""
        if not length:
            return 0
        tempos, index, end = self.tempos, self.index, tick + length
        while index + 1 < len(tempos) and tempos[index + 1].tick <= end:
            index += 1
        tempo = tempos[index]
        return (tempo.ms_time - start_ms
                + ((end - tempo.tick) * 60000) / (tempo.bpm * self.resolution))

    def stamp(self, items: Iterable) -> None:
        """Set `ms_time` and `ms_length` on objects with `tick` and `length`."""
        for item in items:
            item.ms_time = ms = self.ms(item.tick)
            item.ms_length = self.ms_length(ms, item.tick, item.length)
