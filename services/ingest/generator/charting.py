"""Analysis → the whole chart: tempo map, sections, star power, guitar and drums parts."""

from __future__ import annotations

from . import tempo_map as tempo
from .analysis import Analysis
from .drumming import drum_parts
from .guitar import guitar_parts
from .parts import Chart

STAR_POWER_EVERY = 8   # measures between star power phrases
STAR_POWER_LENGTH = 2  # measures


def chart(analysis: Analysis) -> Chart:
    tempo_map = tempo.build(list(analysis.beats), analysis.beats_per_measure,
                            analysis.first_downbeat, analysis.duration)
    measures = tempo_map.measure_ticks()
    measure_set = frozenset(measures)
    phrases = [(measures[m], measures[m + STAR_POWER_LENGTH] - measures[m])
               for m in range(STAR_POWER_EVERY // 2, len(measures) - STAR_POWER_LENGTH,
                              STAR_POWER_EVERY)]
    parts = (*guitar_parts(analysis.notes, tempo_map, measure_set, phrases, analysis.duration),
             *drum_parts(analysis.drums, tempo_map, measure_set))
    return Chart(tempo_map, _sections(analysis, tempo_map, measures),
                 tuple(p for p in parts if p.notes),
                 _end_tick(parts, measures, tempo_map, analysis.duration))


def _sections(analysis: Analysis, tempo_map: tempo.TempoMap,
              measures: list[int]) -> tuple[tuple[int, str], ...]:
    """Each section at the measure nearest its start; the first starts the song."""
    placed: dict[int, str] = {}
    for section in analysis.sections:
        tick = tempo_map.tick_at(section.time)
        nearest = min(measures, key=lambda m: abs(m - tick))
        placed.setdefault(nearest, section.name)
    if placed and 0 not in placed:
        first = min(placed)
        placed[0] = placed.pop(first)
    return tuple(sorted(placed.items())) or ((0, "Part A"),)


def _end_tick(parts, measures: list[int], tempo_map: tempo.TempoMap,
              duration: float) -> int | None:
    """The measure after the last note, when it still falls inside the audio."""
    last = max((n.tick + n.length for p in parts for n in p.notes), default=0)
    end = next((m for m in measures if m > last), None)
    if end is None or tempo_map.seconds_at(end) >= duration:
        return None
    return end
