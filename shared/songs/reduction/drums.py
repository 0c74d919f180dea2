"""Drums reduced from Expert: fewer hits per beat, kicks on strong beats, no cymbals on Easy.

Consumes a parsed Expert drums track (scan-chart note groups, tom/cymbal flags resolved) and
emits the notes of one lower difficulty. Pads and kicks are thinned separately: pads keep the
strongest metrical positions at least a difficulty's gap apart, kicks only the positions a
difficulty allows (Easy: downbeats and mid-measure). A chord keeps the snare first, then toms,
then cymbals, up to the difficulty's size; 2x kicks are dropped below Expert. Easy, as charted
Easy parts are, is eighth notes at moderate tempos, a second pad only beside the snare (snare
and hi-hat), and never a kick and a pad at once: a kick stays only where no pad is kept. It
plays Expert's cymbals on the tom of their colour (the hi-hat's rhythm stays, the cymbal notes
go); a `.mid` or five-lane chart, which cannot mark a tom for one difficulty, drops them.
Accents, ghosts, flams and disco flips stay Expert's.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import events as ev
from ..tracks import Track
from .meter import BEAT, EIGHTH, HALF_MEASURE, SIXTEENTH, Meter, pick_spaced
from .model import GeneratedNote
from .phrases import phrase_anchors

PADS = (ev.N_RED_DRUM, ev.N_YELLOW_DRUM, ev.N_BLUE_DRUM, ev.N_GREEN_DRUM)
KEPT_FLAGS = ev.F_TOM | ev.F_CYMBAL


@dataclass(frozen=True)
class DrumRules:
    """How far one difficulty reduces a drums part."""

    pad_gap_beats: float
    """Least distance between two kept pad hits, in beats."""
    pad_gap_ms: float
    """Least distance between two kept pad hits, in milliseconds."""
    kick_level: int
    """The weakest metrical position a kick may stay on (meter.DOWNBEAT .. OFF_GRID)."""
    kick_gap_beats: float
    """Least distance between two kept kicks, in beats."""
    pads_per_hit: int
    """Most pads struck at once."""
    cymbals: bool
    """Whether cymbal hits stay cymbals."""
    cymbals_as_toms: bool = True
    """Where cymbals do not stay: whether they are played on the tom of their colour (a file
    that cannot mark a tom for one difficulty alone drops them instead)."""
    pairs_need_snare: bool = False
    """Whether two pads may sound together only when one is the snare (snare and hi-hat, say)."""
    kick_with_pads: bool = True
    """Whether a kick may sound with a pad (else a kick stays only where no pad is kept)."""


DRUM_RULES = {
    "hard": DrumRules(pad_gap_beats=0.5, pad_gap_ms=110, kick_level=SIXTEENTH,
                      kick_gap_beats=0.25, pads_per_hit=2, cymbals=True),
    "medium": DrumRules(pad_gap_beats=0.5, pad_gap_ms=200, kick_level=EIGHTH,
                        kick_gap_beats=0.5, pads_per_hit=2, cymbals=True),
    "easy": DrumRules(pad_gap_beats=0.5, pad_gap_ms=250, kick_level=HALF_MEASURE,
                      kick_gap_beats=1.0, pads_per_hit=2, cymbals=False,
                      pairs_need_snare=True, kick_with_pads=False),
}


def reduce_drums(track: Track, difficulty: str, meter: Meter,
                 rules: DrumRules | None = None) -> tuple[GeneratedNote, ...]:
    """The notes of `difficulty` generated from the Expert drums `track`."""
    rules = rules or DRUM_RULES[difficulty]
    pads = [(tick, time, _pads(group, rules))
            for tick, time, group in zip(track.ticks, track.times, track.groups, strict=True)]
    pads = [hit for hit in pads if hit[2]]
    kicks = [(tick, time) for tick, time, group in
             zip(track.ticks, track.times, track.groups, strict=True)
             if any(n[2] == ev.N_KICK and not n[3] & ev.F_DOUBLE_KICK for n in group)
             and meter.level(tick) <= rules.kick_level]
    notes = _kept_pads(pads, track, meter, rules)
    kick_ticks = [tick for tick, _ in kicks]
    kept_kicks = pick_spaced(kick_ticks, [time for _, time in kicks],
                             [meter.level(t) for t in kick_ticks], [False] * len(kicks),
                             [rules.kick_gap_beats * meter.beat_ticks(t) for t in kick_ticks], 0)
    pad_ticks = {note.tick for note in notes}
    notes += [GeneratedNote(kick_ticks[i], ev.N_KICK) for i in kept_kicks
              if rules.kick_with_pads or kick_ticks[i] not in pad_ticks]
    notes += _phrase_fillers(notes, track, rules)
    return tuple(sorted(notes))


def _phrase_fillers(notes: list[GeneratedNote], track: Track,
                    rules: DrumRules) -> list[GeneratedNote]:
    """A hit for each phrase left empty (one of only kicks or cymbals, say): its first pad this
    difficulty allows, else its first kick, else its first hit."""
    kept_ticks = sorted({n.tick for n in notes})
    fillers = []
    for phrase in [*track.star_power, *track.solo_sections, *track.flex_lanes]:
        end = phrase.tick + (phrase.length or 1)
        if any(phrase.tick <= tick < end for tick in kept_ticks):
            continue
        inside = [g for g in track.groups if phrase.tick <= g[0][0] < end]
        if not inside:
            continue
        pads = next((p for g in inside if (p := _pads(g, rules))), None)
        kick = next((n for g in inside for n in g if n[2] == ev.N_KICK), None)
        chosen = pads or [kick or inside[0][0]]
        fillers += [GeneratedNote(n[0], n[2], 0, _kept_flags(n, rules)) for n in chosen]
        kept_ticks.append(chosen[0][0])
        kept_ticks.sort()
    return fillers


def _pads(group: list, rules: DrumRules) -> list[list[int]]:
    """The pads of one Expert hit that this difficulty may keep, snare first, then toms."""
    pads = [n for n in group if n[2] in PADS
            and (rules.cymbals or rules.cymbals_as_toms or not n[3] & ev.F_CYMBAL)]
    pads.sort(key=lambda n: (n[2] != ev.N_RED_DRUM, bool(n[3] & ev.F_CYMBAL), n[2]))
    if rules.pairs_need_snare and pads and pads[0][2] != ev.N_RED_DRUM:
        return pads[:1]
    return pads[:rules.pads_per_hit]


def _kept_pads(pads: list, track: Track, meter: Meter, rules: DrumRules) -> list[GeneratedNote]:
    ticks = [tick for tick, _, _ in pads]
    anchors = phrase_anchors(ticks, [*track.star_power, *track.solo_sections,
                                     *track.flex_lanes])
    levels = [meter.level(t) for t in ticks]
    levels = [level if level > BEAT or not any(n[2] == ev.N_RED_DRUM for n in hit[2])
              else level - 1 for level, hit in zip(levels, pads, strict=True)]
    kept = pick_spaced(ticks, [time for _, time, _ in pads], levels, anchors,
                       [rules.pad_gap_beats * meter.beat_ticks(t) for t in ticks],
                       rules.pad_gap_ms)
    return [GeneratedNote(ticks[i], note[2], 0, _kept_flags(note, rules))
            for i in kept for note in pads[i][2]]


def _kept_flags(note: list[int], rules: DrumRules) -> int:
    """A pad's tom or cymbal flag; a cymbal becomes a tom where the difficulty has none."""
    if note[3] & ev.F_CYMBAL and not rules.cymbals:
        return ev.F_TOM
    return note[3] & KEPT_FLAGS
