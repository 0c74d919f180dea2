"""The drums part at four difficulties: kicks, snares, hi-hats and crashes on the grid."""

from __future__ import annotations

from collections.abc import Sequence

from .analysis import DrumHit
from .parts import DIFFICULTIES, LEVELS, ChartNote, Part
from .tempo_map import TempoMap, snapped
from .thinning import metric_weight, thin

LANES = {"kick": (0,), "snare": (1,), "hihat": (2, 66), "crash": (4, 68)}  # 66/68: cymbals
IMPORTANCE = {"snare": 0.5, "kick": 0.45, "crash": 0.4, "hihat": 0.0}
MIN_STRENGTH = {"Expert": 0.0, "Hard": 0.15, "Medium": 0.25, "Easy": 0.3}


def drum_parts(hits: Sequence[DrumHit], tempo_map: TempoMap,
               measures: frozenset[int]) -> list[Part]:
    grouped: dict[int, dict[str, float]] = {}
    for hit in hits:
        kinds = grouped.setdefault(snapped(tempo_map, hit.time), {})
        kinds[hit.kind] = max(kinds.get(hit.kind, 0.0), hit.strength)
    ticks = sorted(grouped)
    priorities = [max(s + IMPORTANCE[k] for k, s in grouped[t].items())
                  + metric_weight(t, tempo_map, measures) for t in ticks]
    parts = []
    for difficulty in DIFFICULTIES:
        level = LEVELS[difficulty]
        notes = []
        for i in thin(ticks, priorities, tempo_map, level):
            kinds = [k for k, s in grouped[ticks[i]].items() if s >= MIN_STRENGTH[difficulty]]
            kinds.sort(key=lambda k: -(grouped[ticks[i]][k] + IMPORTANCE[k]))
            pads = [k for k in kinds if k != "kick"][: min(level.max_chord, 2)]
            chosen = (["kick"] if "kick" in kinds else []) + pads
            chosen = chosen[: max(1, level.max_chord)] if difficulty != "Expert" else chosen
            if chosen:
                lanes = tuple(sorted(lane for kind in chosen for lane in LANES[kind]))
                notes.append(ChartNote(ticks[i], lanes))
        parts.append(Part("Drums", difficulty, tuple(notes)))
    return parts
