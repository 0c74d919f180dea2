"""The generator's tempo level chosen section by section, on synthetic tempo paths, beat and
onset trains: a level flip of the tracker is undone, a level kept, a real tempo change kept."""

from __future__ import annotations

import numpy as np
import pytest

from services.ingest.generator import tempo, tempo_level, tempo_sections

FRAME = 512 / 22050


def train(bpm: float, start: float, end: float) -> np.ndarray:
    return np.arange(start, end - 1e-9, 60 / bpm)


def notes(bpm: float, start: float, end: float, pattern=(0, 0.5, 0.75)) -> np.ndarray:
    """A riff on every beat: the beat, its half and its last quarter."""
    beats = train(bpm, start, end)
    return np.sort(np.concatenate([beats + f * 60 / bpm for f in pattern]))


def ideal_tracker(steady: np.ndarray):
    """A beat tracker that follows the tempo it is given exactly."""
    def tracked(ratio: float) -> np.ndarray:
        counted = np.cumsum(steady * ratio / 60 * FRAME)
        return np.flatnonzero(np.diff(np.floor(counted)) > 0) * FRAME + FRAME
    return tracked


def tempo_at(beats: np.ndarray, seconds: float) -> float:
    i = int(np.searchsorted(beats, seconds)) - 1
    return 60 / (beats[i + 1] - beats[i])


def test_a_jump_of_the_local_tempo_to_another_level_starts_a_section():
    path = np.r_[np.full(40, 300.0), np.full(40, 150.0)]
    edges = tempo_sections.bounds(path, 0.5, 40.0)
    assert edges[0] == 0 and edges[-1] == 40.0
    assert len(edges) == 3 and edges[1] == pytest.approx(19.75)


def test_gentle_tempo_changes_start_no_section():
    path = np.linspace(150.0, 170.0, 80)
    assert tempo_sections.bounds(path, 0.5, 40.0) == [0.0, 40.0]


def test_every_section_lasts_long_enough_to_judge_its_level():
    path = np.r_[np.full(40, 150.0), np.full(6, 300.0), np.full(40, 150.0)]
    edges = tempo_sections.bounds(path, 0.5, 43.0)
    assert min(np.diff(edges)) >= tempo_sections.MIN_SECTION
    assert len(edges) == 3  # the jump back, 3 s later, starts no section of its own


def test_a_level_flip_of_the_local_tempo_is_undone_section_by_section():
    # Charted at 200 then 160 BPM; the tempo path hears 3/2 of the first and the second as is,
    # so no one ratio of the path (nor its half or double) is right for both parts of the song.
    steady = np.r_[np.full(round(20 / FRAME), 300.0), np.full(round(20 / FRAME), 160.0)]
    onsets = np.r_[notes(200, 0.5, 20.0), notes(160, 20.0, 39.5)]
    beats = tempo.beats_by_section(steady, FRAME, ideal_tracker(steady), onsets)
    assert tempo_at(beats, 10.0) == pytest.approx(200, rel=0.01)
    assert tempo_at(beats, 30.0) == pytest.approx(160, rel=0.01)


def test_a_run_the_tracker_counts_in_fives_keeps_the_songs_tempo():
    # Sixteenths at 175 BPM throughout; for 20 s the tempo path counts five of them as a beat
    # (140 BPM), a change too small to be a flip to half or double time.
    steady = np.r_[np.full(round(12 / FRAME), 175.0), np.full(round(20 / FRAME), 140.0),
                   np.full(round(14 / FRAME), 175.0)]
    onsets = np.r_[notes(175, 0.5, 12.0), train(700, 12.0, 32.0), notes(175, 32.0, 45.5)]
    beats = tempo.beats_by_section(steady, FRAME, ideal_tracker(steady), onsets)
    for seconds in (6.0, 22.0, 40.0):
        assert tempo_at(beats, seconds) == pytest.approx(175, rel=0.01)


def test_one_section_counts_at_the_level_under_which_its_notes_fit():
    steady = np.full(round(30 / FRAME), 300.0)
    beats = tempo.beats_by_section(steady, FRAME, ideal_tracker(steady), notes(150, 0.5, 29.5))
    assert tempo_at(beats, 15.0) == pytest.approx(150, rel=0.01)


def option(score: float, bpm: float, start: float, end: float):
    return (score, train(bpm, start, end))


def test_a_section_keeps_the_songs_level_when_its_notes_barely_prefer_double_time():
    # The path doubled at 20 s; the notes after it fit double time a little better.
    options = [[option(0.59, 112, 0, 20), option(0.56, 224, 0, 20)],
               [option(0.68, 112, 20, 40), option(0.69, 224, 20, 40)]]
    beats = tempo_sections.choose(options, [112.0, 225.0])
    assert tempo_at(beats, 30.0) == pytest.approx(112, rel=0.01)


def test_a_section_changes_level_when_its_notes_clearly_ask_for_it():
    options = [[option(0.59, 112, 0, 20), option(0.56, 224, 0, 20)],
               [option(0.10, 112, 20, 40), option(0.90, 224, 20, 40)]]
    beats = tempo_sections.choose(options, [112.0, 225.0])
    assert tempo_at(beats, 30.0) == pytest.approx(224, rel=0.01)


def test_a_tempo_change_the_tracker_heard_is_followed():
    # 200 then 150 BPM, heard as such: slightly better fit at 200 beats counting at 2/3 of it,
    # which would be closer to the 150 after.
    options = [[option(0.382, 200, 0, 18), option(0.346, 133.3, 0, 18)],
               [option(0.384, 150, 18, 40)]]
    beats = tempo_sections.choose(options, [199.0, 152.0])
    assert tempo_at(beats, 9.0) == pytest.approx(200, rel=0.01)


def test_joined_sections_drop_a_beat_that_would_make_a_sliver_of_a_beat():
    joined = tempo_sections.join([np.array([0.0, 0.5, 1.0]), np.array([1.1, 1.6, 2.1])])
    assert list(joined) == [0.0, 0.5, 1.0, 1.6, 2.1]


def test_joined_sections_fill_beats_missing_at_their_edge():
    joined = tempo_sections.join([np.array([0.0, 0.5, 1.0]), np.array([2.0, 2.5, 3.0])])
    assert list(joined) == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0]


def test_a_sections_options_are_weighed_by_its_share_of_the_notes():
    beats = train(150, 0, 20)
    onsets = notes(150, 0, 19)
    whole = dict((len(b), s) for s, b in tempo_level.options([beats], onsets))
    half = dict((len(b), s) for s, b in tempo_level.options([beats], onsets, 0.5))
    assert len(whole) >= 3 and all(half[n] == pytest.approx(whole[n] / 2) for n in whole)


def test_short_candidates_are_judged_only_when_no_longer_one_exists():
    short, long = train(150, 0, 4), train(150, 0, 20)
    assert [len(b) for _, b in tempo_level.options([short, long], notes(150, 0, 19))] \
        == [len(long), len(long[::2]), len(long[1::2]), 2 * len(long) - 1]
    shorter = train(150, 0, 3)
    assert [len(b) for _, b in tempo_level.options([short, shorter], notes(150, 0, 4))] \
        == [len(short), len(shorter)]
