"""The common shape both readers produce (scan-chart's RawChartData), before shared rules apply."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Phrase:
    """A span of ticks: star power, solo, flex lane (`flag`=double) or fill (`flag`=coda)."""

    tick: int
    length: int
    flag: bool = False
    ms_time: float = 0.0
    ms_length: float = 0.0


# A note is a small list [tick, length, type, flags] (lists, not objects, because a chart
# holds hundreds of thousands of them): the overlap rules shorten `length` in place.
TICK, LENGTH, TYPE, FLAGS = 0, 1, 2, 3
Note = list


@dataclass
class RawTrack:
    """One instrument at one difficulty; `events` are [tick, length, type, ...] lists."""

    instrument: str
    difficulty: str
    events: list[list[int]] = field(default_factory=list)
    star_power: list[Phrase] = field(default_factory=list)
    rejected_star_power: list[Phrase] = field(default_factory=list)
    solo_sections: list[Phrase] = field(default_factory=list)
    flex_lanes: list[Phrase] = field(default_factory=list)
    freestyle_sections: list[Phrase] = field(default_factory=list)


@dataclass
class RawChart:
    """Everything read from a .chart or .mid file."""

    resolution: int
    tempos: list[tuple[int, float]]
    time_signatures: list[tuple[int, int, int]]
    sections: list[tuple[int, str]]
    end_events: list[int]
    tracks: list[RawTrack]
    metadata: dict = field(default_factory=dict)
    has_lyrics: bool = False
    has_vocals: bool = False
    lyrics: list[tuple[int, str]] = field(default_factory=list)
