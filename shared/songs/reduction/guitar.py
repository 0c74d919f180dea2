"""Guitar-like parts (five- and six-fret) reduced from Expert: fewer notes, fewer frets, narrower
chords, no taps or forced notes on Easy, sustains kept.

Consumes a parsed Expert track (scan-chart note groups) and emits the notes of one lower
difficulty. The rules: keep the notes on the strongest metrical positions at least a
difficulty's gap apart (on Easy a held note counts as two levels stronger); fold the measure's
frets into the difficulty's lanes (Easy G R Y, Medium G R Y B) keeping their contour; collapse
chords (Hard 3 notes, Medium 2, Easy 1); keep HOPOs only where the notes stay close; end a
sustain before the next note.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .. import events as ev
from ..tracks import Track
from .meter import OFF_GRID, Meter, TempoMap, pick_spaced
from .model import GeneratedNote
from .phrases import phrase_anchors

FRETS = (ev.N_GREEN, ev.N_RED, ev.N_YELLOW, ev.N_BLUE, ev.N_ORANGE)
SUSTAIN_RELEASE_MS = 60
MIN_SUSTAIN_MS = 120


@dataclass(frozen=True)
class FretRules:
    """How far one difficulty reduces a guitar-like part."""

    gap_beats: float
    """Least distance between two kept notes, in beats."""
    gap_ms: float
    """Least distance between two kept notes, in milliseconds (fast songs thin out more)."""
    lanes: int
    """Frets in use: 3 is G R Y, 4 is G R Y B."""
    chord_size: int
    """Most notes in a chord."""
    hopo_within_beats: float
    """A HOPO or tap on Expert stays a HOPO when the previous kept note is this close (0: never)."""
    taps: bool
    """Whether Expert's taps stay taps."""
    weakest: int = OFF_GRID
    """The weakest metrical position a note may stay on (meter.DOWNBEAT .. OFF_GRID), unless
    it starts a phrase."""
    sustain_lift: int = 0
    """Metrical levels a sustained note counts as stronger when notes compete for a place
    (charted Easy parts keep a held note over a short one beside it)."""


FRET_RULES = {
    "hard": FretRules(gap_beats=0.25, gap_ms=120, lanes=5, chord_size=3,
                      hopo_within_beats=0.5, taps=True),
    "medium": FretRules(gap_beats=0.5, gap_ms=200, lanes=4, chord_size=2,
                        hopo_within_beats=0.5, taps=False),
    "easy": FretRules(gap_beats=1.0, gap_ms=300, lanes=3, chord_size=1,
                      hopo_within_beats=0, taps=False, sustain_lift=2),
}


def reduce_frets(track: Track, difficulty: str, meter: Meter, tempo: TempoMap, *,
                 hopo_threshold: float, sustain_threshold: int,
                 rules: FretRules | None = None) -> tuple[GeneratedNote, ...]:
    """The notes of `difficulty` generated from the Expert `track`."""
    rules = rules or FRET_RULES[difficulty]
    ticks, times = track.ticks, track.times
    anchors = phrase_anchors(ticks, [*track.star_power, *track.solo_sections, *track.flex_lanes])
    min_ticks = [rules.gap_beats * meter.beat_ticks(tick) for tick in ticks]
    if not rules.hopo_within_beats:
        # strummed notes only: every note further apart than a natural HOPO can be
        min_ticks = [max(gap, hopo_threshold + 1) for gap in min_ticks]
    levels = [meter.level(t) for t in ticks]
    min_ticks = [gap if level <= rules.weakest else math.inf
                 for gap, level in zip(min_ticks, levels, strict=True)]
    levels = [level - rules.sustain_lift if max(n[1] for n in group) > sustain_threshold
              else level for level, group in zip(levels, track.groups, strict=True)]
    kept = pick_spaced(ticks, times, levels, anchors, min_ticks, rules.gap_ms)
    six_fret = track.instrument in ev.SIX_FRET
    lanes_of = (_six_fret_chord if six_fret else
                _FiveFretFolder(track, meter, rules.lanes).chord)
    chords: list[tuple[int, list[int], int, int]] = []
    for index in kept:
        group = track.groups[index]
        lanes = lanes_of(group, difficulty, rules.chord_size)
        length = max(note[1] for note in group)
        chords.append((ticks[index], lanes, length, group[0][3]))
    notes: list[GeneratedNote] = []
    for position, (tick, lanes, length, flags) in enumerate(chords):
        previous = chords[position - 1] if position else None
        following = chords[position + 1][0] if position + 1 < len(chords) else None
        flag = _flag(flags, tick, lanes, previous, meter, rules)
        length = _sustain(tick, length, following, tempo, sustain_threshold)
        notes += [GeneratedNote(tick, lane, length, flag) for lane in lanes]
    return tuple(notes)


def _flag(expert_flags: int, tick: int, lanes: list[int], previous, meter: Meter,
          rules: FretRules) -> int:
    if expert_flags & ev.F_TAP and rules.taps:
        return ev.F_TAP
    if not expert_flags & (ev.F_HOPO | ev.F_TAP) or previous is None:
        return ev.F_STRUM
    close = tick - previous[0] <= rules.hopo_within_beats * meter.beat_ticks(tick)
    return ev.F_HOPO if close and previous[1] != lanes else ev.F_STRUM


def _sustain(tick: int, length: int, following: int | None, tempo: TempoMap,
             threshold: int) -> int:
    """A sustain cut to end SUSTAIN_RELEASE_MS before the next note; too short ones dropped."""
    if not length:
        return 0
    start_ms = tempo.ms(tick)
    if following is not None:
        release_ms = tempo.ms(following) - SUSTAIN_RELEASE_MS
        if tempo.ms(tick + length) > release_ms:
            low, high = 0, length
            while low < high:  # the longest length ending before the release
                middle = (low + high + 1) // 2
                if tempo.ms(tick + middle) <= release_ms:
                    low = middle
                else:
                    high = middle - 1
            length = low
    if length <= threshold or tempo.ms(tick + length) - start_ms < MIN_SUSTAIN_MS:
        return 0
    return length


class _FiveFretFolder:
    """Frets folded into fewer lanes measure by measure, keeping the measure's contour."""

    def __init__(self, track: Track, meter: Meter, lanes: int):
        self.lanes, self.meter = lanes, meter
        self.span: dict[int, tuple[int, int]] = {}
        for tick, group in zip(track.ticks, track.groups, strict=True):
            frets = [FRETS.index(n[2]) for n in group if n[2] in FRETS]
            if not frets:
                continue
            start = meter.measure_start(tick)
            low, high = self.span.get(start, (min(frets), max(frets)))
            self.span[start] = (min(low, *frets), max(high, *frets))

    def fold(self, fret: int, tick: int) -> int:
        low, high = self.span[self.meter.measure_start(tick)]
        top = self.lanes - 1
        if high - low <= top:
            return fret - max(0, high - top)
        return round((fret - low) * top / (high - low))

    def chord(self, group: list, difficulty: str, size: int) -> list[int]:
        if any(n[2] == ev.N_OPEN for n in group):
            return [ev.N_OPEN]
        tick = group[0][0]
        folded = sorted({self.fold(FRETS.index(n[2]), tick) for n in group if n[2] in FRETS})
        low = folded[0]
        widest = 2 if difficulty == "medium" else 3  # no G+B on Medium, no G+O on Hard
        within = [fret for fret in folded if fret - low <= widest]
        chosen = [low] if size == 1 else [low, *within[1:][-(size - 1):]]
        return [FRETS[fret] for fret in chosen]


_SIX_FRET_BARRES = {frozenset((ev.N_BLACK1, ev.N_WHITE1)), frozenset((ev.N_BLACK2, ev.N_WHITE2)),
                    frozenset((ev.N_BLACK3, ev.N_WHITE3))}
_WHITES = frozenset((ev.N_WHITE1, ev.N_WHITE2, ev.N_WHITE3))
_BLACKS = frozenset((ev.N_BLACK1, ev.N_BLACK2, ev.N_BLACK3))


def _six_fret_chord(group: list, difficulty: str, size: int) -> list[int]:
    lanes = sorted({n[2] for n in group})
    if ev.N_OPEN in lanes or len(lanes) == 1:
        return [lanes[0]]
    if difficulty == "easy":
        return [lanes[0]]
    if difficulty == "medium":
        pair = next((sorted(b) for b in _SIX_FRET_BARRES if b <= set(lanes)), None)
        return pair or [lanes[0]]
    if len(lanes) >= 3 and not (set(lanes) <= _WHITES or set(lanes) <= _BLACKS):
        return lanes[:2]
    return lanes[:3]
