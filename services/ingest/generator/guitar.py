"""The lead guitar part at four difficulties: onsets become notes on the grid, pitch becomes
frets, strong accents become chords and ringing notes become sustains."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from . import frets as fretting
from .analysis import Note
from .parts import DIFFICULTIES, LEVELS, ChartNote, Level, Part
from .tempo_map import TempoMap, snapped
from .thinning import metric_weight, thin

CHORD_ACCENT = {"Expert": 1.25, "Hard": 1.35, "Medium": 1.5, "Easy": float("inf")}
ACCENT_WINDOW = 8     # notes either side that set what a normal note's strength is
MIN_SUSTAIN = 0.2     # seconds: shorter rings are played as plain notes
SUSTAIN_GAP = 0.1     # seconds between a sustain's end and the next note


@dataclass(frozen=True)
class Placed:
    tick: int
    time: float
    pitch: int
    strength: float
    ring: float
    weight: float
    accent: float = 1.0   # strength against the notes around it


def guitar_parts(notes: Sequence[Note], tempo_map: TempoMap, measures: frozenset[int],
                 phrases: Sequence[tuple[int, int]], song_end: float) -> list[Part]:
    placed = _placed(notes, tempo_map, measures)
    frets = fretting.expert_frets([p.pitch for p in placed])
    parts = []
    for difficulty in DIFFICULTIES:
        level = LEVELS[difficulty]
        kept = thin([p.tick for p in placed], [p.strength + p.weight for p in placed],
                    tempo_map, level)
        chart_notes = []
        for position, i in enumerate(kept):
            following = placed[kept[position + 1]].time if position + 1 < len(kept) else song_end
            lanes = _lanes(placed[i], frets[i], level, CHORD_ACCENT[difficulty])
            chart_notes.append(ChartNote(placed[i].tick, lanes,
                                         _sustain(placed[i], following, tempo_map)))
        parts.append(Part("Single", difficulty, tuple(chart_notes),
                          _phrases_with_notes(phrases, chart_notes)))
    return parts


def _placed(notes: Sequence[Note], tempo_map: TempoMap, measures: frozenset[int]) -> list[Placed]:
    """Notes on the grid; two landing on one tick become the stronger one."""
    by_tick: dict[int, Placed] = {}
    for note in notes:
        tick = snapped(tempo_map, note.time)
        weight = metric_weight(tick, tempo_map, measures)
        candidate = Placed(tick, tempo_map.seconds_at(tick), note.pitch, note.strength,
                           note.ring, weight)
        if tick not in by_tick or by_tick[tick].strength < note.strength:
            by_tick[tick] = candidate
    ordered = [by_tick[tick] for tick in sorted(by_tick)]
    strengths = [p.strength for p in ordered]
    return [replace(p, accent=p.strength / max(float(np.median(
                strengths[max(0, i - ACCENT_WINDOW): i + ACCENT_WINDOW + 1])), 1e-6))
            for i, p in enumerate(ordered)]


def _lanes(note: Placed, fret: int, level: Level, chord_accent: float) -> tuple[int, ...]:
    """The note's fret, or a chord from it when the note is a strong accent on a beat."""
    fret = fretting.fewer_frets(fret, level.frets)
    size = 1
    if note.accent >= chord_accent and note.weight >= 0.6:
        size = 3 if note.weight == 1.0 and note.accent >= chord_accent + 0.35 else 2
    return fretting.chord(fret, min(size, level.max_chord), level.frets)


def _sustain(note: Placed, following: float, tempo_map: TempoMap) -> int:
    """Sustain length in ticks: the note's ring, ending well before the next note."""
    beat = tempo_map.beat_length(note.tick)
    if note.ring < max(0.3, 0.5 * beat):
        return 0
    end = min(note.time + note.ring, following - max(SUSTAIN_GAP, 0.25 * beat))
    if end - note.time < MIN_SUSTAIN:
        return 0
    step = tempo_map.resolution // 4
    length = (tempo_map.tick_at(end) - note.tick) // step * step
    return length if tempo_map.seconds_at(note.tick + length) - note.time >= MIN_SUSTAIN else 0


def _phrases_with_notes(phrases, notes: Sequence[ChartNote]) -> tuple[tuple[int, int], ...]:
    ticks = [n.tick for n in notes]
    return tuple((start, length) for start, length in phrases
                 if any(start <= t < start + length for t in ticks))
