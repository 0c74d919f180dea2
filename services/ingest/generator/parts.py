"""What the charting produces: notes in ticks per instrument and difficulty."""

from __future__ import annotations

from dataclasses import dataclass

from .tempo_map import TempoMap

DIFFICULTIES = ("Expert", "Hard", "Medium", "Easy")


@dataclass(frozen=True)
class ChartNote:
    """Notes struck together: .chart note numbers (frets, or drum pads and cymbal markers)."""

    tick: int
    lanes: tuple[int, ...]
    length: int = 0


@dataclass(frozen=True)
class Part:
    instrument: str              # "Single" (lead guitar) or "Drums", as in .chart track names
    difficulty: str
    notes: tuple[ChartNote, ...]
    star_power: tuple[tuple[int, int], ...] = ()   # (tick, length)


@dataclass(frozen=True)
class Chart:
    tempo_map: TempoMap
    sections: tuple[tuple[int, str], ...]
    parts: tuple[Part, ...]
    end_tick: int | None


@dataclass(frozen=True)
class Level:
    """How much of the Expert part a difficulty keeps."""

    min_beats: float      # shortest gap between notes, in beats
    min_seconds: float    # ... and in seconds, whichever is longer
    frets: int            # frets used (guitar)
    max_chord: int        # most frets struck together (guitar) or pads hit together (drums)
    share: float          # most notes kept, as a share of Expert's: always a real reduction


LEVELS = {
    "Expert": Level(0.0, 0.0, 5, 3, 1.0),
    "Hard": Level(0.5, 0.15, 5, 2, 0.85),
    "Medium": Level(1.0, 0.28, 4, 2, 0.65),
    "Easy": Level(2.0, 0.5, 3, 1, 0.45),
}
