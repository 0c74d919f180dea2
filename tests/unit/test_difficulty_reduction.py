"""The reduction rules: lower difficulties generated from an Expert-only part."""

from __future__ import annotations

import itertools
from dataclasses import replace

from shared.songs import events as ev
from shared.songs.ini import DEFAULT_METADATA
from shared.songs.reduction.drums import DRUM_RULES, reduce_drums
from shared.songs.reduction.generate import parse_chart_file, reduce_track
from shared.songs.reduction.meter import DOWNBEAT, HALF_MEASURE, meter_of
from shared.songs.reduction.model import GeneratedPart

RESOLUTION = 192
FIVE_FRETS = {ev.N_GREEN, ev.N_RED, ev.N_YELLOW, ev.N_BLUE, ev.N_ORANGE}


def chart_text(sections: dict[str, list[str]], pro_drums: bool = False) -> bytes:
    blocks = [f"[Song]\n{{\n  Resolution = {RESOLUTION}\n}}\n",
              "[SyncTrack]\n{\n  0 = TS 4\n  0 = B 120000\n}\n",
              '[Events]\n{\n  0 = E "section intro"\n}\n']
    for name, lines in sections.items():
        blocks.append(f"[{name}]\n{{\n" + "".join(f"  {line}\n" for line in lines) + "}\n")
    return "".join(blocks).encode()


def busy_guitar(measures: int = 16) -> list[str]:
    """Sixteenth notes with chords, taps, forced notes, opens and a long sustain."""
    lines = []
    step = RESOLUTION // 4
    for index in range(measures * 16):
        tick = 4 * RESOLUTION + index * step
        fret = index % 5
        lines.append(f"{tick} = N {fret} 0")
        if index % 4 == 0:
            lines.append(f"{tick} = N {(fret + 2) % 5} 0")
            lines.append(f"{tick} = N {(fret + 4) % 5} 0")
        if index % 16 == 6:
            lines.append(f"{tick} = N 6 0")
        if index % 16 == 9:
            lines.append(f"{tick} = N 5 0")
    end = 4 * RESOLUTION + measures * 16 * step
    lines += [f"{end} = N 7 0", f"{end + RESOLUTION} = N 2 {4 * RESOLUTION}"]
    return [*lines, f"{4 * RESOLUTION} = S 2 {RESOLUTION * 8}"]


def busy_drums(measures: int = 16) -> list[str]:
    """Sixteenth hi-hats (cymbals), kicks on every eighth with some 2x kicks, snare on 2 and 4,
    a tom fill."""
    lines = []
    for index in range(measures * 16):
        tick = 4 * RESOLUTION + index * RESOLUTION // 4
        lines += [f"{tick} = N 2 0", f"{tick} = N 66 0"]
        if index % 2 == 0:
            lines.append(f"{tick} = N {32 if index % 8 == 6 else 0} 0")
        if index % 8 == 4:
            lines.append(f"{tick} = N 1 0")
        if index % 16 == 15:
            lines.append(f"{tick} = N 3 0")
    return lines


def generated(sections, instrument: str, difficulty: str, pro_drums: bool = False):
    modifiers = {**DEFAULT_METADATA, "pro_drums": pro_drums}
    chart = parse_chart_file(chart_text(sections), "chart", modifiers)
    expert = next(t for t in chart.tracks if t.instrument == instrument)
    part = reduce_track(expert, chart, difficulty, "chart", modifiers)
    return chart, expert, part


def chords_of(part) -> dict[int, list]:
    return {tick: notes for tick, notes in part.chords()}


def test_easy_guitar_has_single_notes_on_green_red_yellow_and_no_taps_or_hopos():
    _, _, easy = generated({"ExpertSingle": busy_guitar()}, "guitar", "easy")
    chords = chords_of(easy)
    assert chords
    assert all(len(notes) == 1 for notes in chords.values())
    assert {n.lane for n in easy.notes} <= {ev.N_GREEN, ev.N_RED, ev.N_YELLOW, ev.N_OPEN}
    assert all(n.flags == ev.F_STRUM for n in easy.notes)


def test_medium_guitar_has_chords_of_two_notes_at_most_on_four_frets():
    _, _, medium = generated({"ExpertSingle": busy_guitar()}, "guitar", "medium")
    chords = chords_of(medium)
    assert max(len(notes) for notes in chords.values()) == 2
    assert {n.lane for n in medium.notes} <= {ev.N_GREEN, ev.N_RED, ev.N_YELLOW, ev.N_BLUE,
                                              ev.N_OPEN}
    assert not any(n.flags & ev.F_TAP for n in medium.notes)
    for notes in chords.values():  # green and blue together is not a Medium chord
        assert {n.lane for n in notes} != {ev.N_GREEN, ev.N_BLUE}


def test_hard_guitar_keeps_taps_and_chords_of_three_without_green_and_orange():
    _, expert, hard = generated({"ExpertSingle": busy_guitar()}, "guitar", "hard")
    chords = chords_of(hard)
    assert any(n.flags & ev.F_TAP for n in hard.notes)
    assert max(len(notes) for notes in chords.values()) <= 3
    assert not any({ev.N_GREEN, ev.N_ORANGE} <= {n.lane for n in notes}
                   for notes in chords.values())
    assert len(chords) < len(expert.groups)


def test_no_lower_difficulty_has_more_notes_than_the_one_above():
    counts = [len(generated({"ExpertSingle": busy_guitar()}, "guitar", d)[2].chords())
              for d in ("hard", "medium", "easy")]
    expert = len(generated({"ExpertSingle": busy_guitar()}, "guitar", "hard")[1].groups)
    assert expert > counts[0] >= counts[1] > counts[2] > 0


def test_sustains_are_kept_on_every_difficulty():
    for difficulty in ("hard", "medium", "easy"):
        _, _, part = generated({"ExpertSingle": busy_guitar()}, "guitar", difficulty)
        assert max(n.length for n in part.notes) >= 3 * RESOLUTION


def test_easy_keeps_a_held_note_over_a_short_one_on_a_stronger_beat():
    lines = []
    for measure in range(8):  # a short note on each beat, a held one on the "and" of two
        start = 4 * RESOLUTION + measure * 4 * RESOLUTION
        lines += [f"{start + beat * RESOLUTION} = N 0 0" for beat in range(4)]
        lines.append(f"{start + RESOLUTION * 3 // 2} = N 2 {RESOLUTION // 2}")
    _, _, easy = generated({"ExpertSingle": lines}, "guitar", "easy")
    held = [n for n in easy.notes if n.length]
    assert len(held) == 8
    assert all(n.tick % RESOLUTION == RESOLUTION // 2 for n in held)


def test_open_notes_stay_open():
    _, _, easy = generated({"ExpertSingle": busy_guitar()}, "guitar", "easy")
    assert any(n.lane == ev.N_OPEN for n in easy.notes)


def test_notes_stay_at_least_the_difficulty_gap_apart():
    _, _, easy = generated({"ExpertSingle": busy_guitar()}, "guitar", "easy")
    ticks = [tick for tick, _ in easy.chords()]
    assert min(b - a for a, b in itertools.pairwise(ticks)) >= RESOLUTION


def test_easy_drums_have_no_cymbals_and_two_pads_at_once_only_beside_the_snare():
    _, _, easy = generated({"ExpertDrums": busy_drums()}, "drums", "easy", pro_drums=True)
    assert easy.notes
    assert not any(n.flags & ev.F_CYMBAL for n in easy.notes)
    pairs = [notes for notes in chords_of(easy).values()
             if sum(n.lane != ev.N_KICK for n in notes) == 2]
    assert pairs  # snare and hi-hat together, as charted Easy parts have them
    assert all(any(n.lane == ev.N_RED_DRUM for n in notes) for notes in pairs)


def test_easy_drums_play_two_cymbals_without_the_snare_as_one_pad():
    crashes = [f"{4 * RESOLUTION + beat * RESOLUTION} = N {lane} 0"
               for beat in range(32) for lane in (2, 4, 66, 68)]
    _, _, easy = generated({"ExpertDrums": crashes}, "drums", "easy", pro_drums=True)
    assert easy.notes
    assert all(len(notes) == 1 for notes in chords_of(easy).values())


def test_easy_drums_keep_the_hi_hat_rhythm_on_the_tom_of_its_colour():
    _, _, easy = generated({"ExpertDrums": busy_drums()}, "drums", "easy", pro_drums=True)
    hi_hats = [n for n in easy.notes if n.lane == ev.N_YELLOW_DRUM]
    assert len(hi_hats) >= 16 * 4  # at least one a beat
    assert all(n.flags == ev.F_TOM for n in hi_hats)


def test_easy_drums_never_ask_for_a_kick_and_a_pad_at_once():
    lines = []
    for measure in range(8):  # kick and floor tom on one, kick alone on three, snare on 2 and 4
        start = 4 * RESOLUTION + measure * 4 * RESOLUTION
        lines += [f"{start} = N 0 0", f"{start} = N 4 0", f"{start + 2 * RESOLUTION} = N 0 0",
                  f"{start + RESOLUTION} = N 1 0", f"{start + 3 * RESOLUTION} = N 1 0",
                  f"{start + 3 * RESOLUTION + RESOLUTION // 4} = N 1 0"]
    _, _, easy = generated({"ExpertDrums": lines}, "drums", "easy", pro_drums=True)
    assert {n.lane for n in easy.notes} >= {ev.N_KICK, ev.N_GREEN_DRUM}
    for notes in chords_of(easy).values():
        lanes = {n.lane for n in notes}
        assert lanes == {ev.N_KICK} or ev.N_KICK not in lanes


def test_a_lone_kick_on_a_downbeat_stays_on_easy():
    lines = []
    for measure in range(8):
        start = 4 * RESOLUTION + measure * 4 * RESOLUTION
        lines += [f"{start} = N 0 0", f"{start + RESOLUTION} = N 1 0",
                  f"{start + 3 * RESOLUTION} = N 1 0"]
    _, _, easy = generated({"ExpertDrums": lines}, "drums", "easy")
    assert sum(n.lane == ev.N_KICK for n in easy.notes) == 8


def test_easy_drums_keep_eighth_notes_at_a_moderate_tempo():
    snares = [f"{4 * RESOLUTION + index * RESOLUTION // 4} = N 1 0" for index in range(64)]
    _, _, easy = generated({"ExpertDrums": snares}, "drums", "easy")  # 120 BPM: 250 ms apart
    assert [n.tick for n in easy.notes] == [4 * RESOLUTION + index * RESOLUTION // 2
                                            for index in range(32)]


def test_easy_kicks_fall_on_strong_beats_only():
    kicks = [f"{4 * RESOLUTION + index * RESOLUTION // 2} = N 0 0" for index in range(64)]
    chart, _, easy = generated({"ExpertDrums": kicks}, "drums", "easy")
    meter = meter_of(chart.resolution, chart.time_signatures)
    kicks = [n.tick for n in easy.notes if n.lane == ev.N_KICK]
    assert kicks
    assert all(meter.level(tick) in (DOWNBEAT, HALF_MEASURE) for tick in kicks)


def test_medium_and_hard_drums_keep_cymbals_with_fewer_hits_than_expert():
    _, expert, medium = generated({"ExpertDrums": busy_drums()}, "drums", "medium",
                                  pro_drums=True)
    _, _, hard = generated({"ExpertDrums": busy_drums()}, "drums", "hard", pro_drums=True)
    _, _, easy = generated({"ExpertDrums": busy_drums()}, "drums", "easy", pro_drums=True)
    assert any(n.flags & ev.F_CYMBAL for n in medium.notes)
    assert not any(n.flags & ev.F_DOUBLE_KICK for n in [*hard.notes, *medium.notes])
    expert_hits = sum(len(g) for g in expert.groups)
    assert expert_hits > len(hard.notes) >= len(medium.notes) > len(easy.notes)


def test_the_snare_is_kept_over_the_hi_hat_when_only_one_pad_may_stay():
    modifiers = {**DEFAULT_METADATA, "pro_drums": False}
    chart = parse_chart_file(chart_text({"ExpertDrums": busy_drums()}), "chart", modifiers)
    one_pad = replace(DRUM_RULES["easy"], pads_per_hit=1)
    easy = GeneratedPart("drums", "easy", reduce_drums(
        chart.tracks[0], "easy", meter_of(chart.resolution, chart.time_signatures), one_pad))
    snares = [n for n in easy.notes if n.lane == ev.N_RED_DRUM]
    assert snares
    for _tick, notes in chords_of(easy).items():
        if any(n.lane == ev.N_RED_DRUM for n in notes):
            assert not any(n.lane == ev.N_YELLOW_DRUM for n in notes)


def test_a_star_power_phrase_keeps_a_note_on_every_difficulty():
    lines = [*busy_guitar(2), f"{4 * RESOLUTION + 3 * RESOLUTION // 4} = S 2 10"]
    for difficulty in ("hard", "medium", "easy"):
        _, _, part = generated({"ExpertSingle": lines}, "guitar", difficulty)
        start = 4 * RESOLUTION + 3 * RESOLUTION // 4
        assert any(start <= n.tick < start + 10 for n in part.notes)
