"""The generator's beats refined once the tempo level is chosen, and the tempo map built from
them, on synthetic envelopes, tempo paths and beat trains."""

from __future__ import annotations

import numpy as np
import pytest

from services.ingest.generator import tempo, tempo_map, tempo_refine

RATE, HOP = 22050, 256
FRAME = HOP / RATE


def train(bpm: float, start: float, end: float) -> np.ndarray:
    return np.arange(start, end - 1e-9, 60 / bpm)


def slipped(bpm: float, beats: int, slip: float, at: int, length: int) -> np.ndarray:
    """Beats at `bpm`, `length` of them from beat `at` on `slip` times shorter (the tracker
    pulled over by off-beat notes), the rest after them at `bpm` again."""
    gaps = np.full(beats, 60 / bpm)
    gaps[at:at + length] /= slip
    return np.r_[0.0, np.cumsum(gaps)]


def tempo_at(beats: np.ndarray, seconds: float) -> float:
    i = int(np.searchsorted(beats, seconds)) - 1
    return 60 / (beats[i + 1] - beats[i])


def ideal_tracker(bpm: np.ndarray) -> np.ndarray:
    """A tracker that follows the tempo it is given exactly."""
    counted = np.cumsum(bpm / 60 * FRAME)
    return np.flatnonzero(np.diff(np.floor(counted)) > 0) * FRAME + FRAME


@pytest.mark.parametrize("bpm", [97.0, 165.0, 210.0])
def test_the_heard_tempo_is_measured_between_whole_frame_lags(bpm):
    steady, heard = tempo.local_tempo(pulses(train(bpm, 0, 40)).astype(np.float32), RATE, HOP)
    assert np.abs(heard / bpm - 1).max() < 0.004
    assert np.abs(steady / bpm - 1).min() > 0.004  # a whole-frame lag cannot say it


def pulses(beats: np.ndarray, seconds: float = 40.0) -> np.ndarray:
    times = np.arange(round(seconds / FRAME)) * FRAME
    return np.exp(-0.5 * ((times[:, None] - beats[None, :]) / 0.012) ** 2).sum(axis=1)


def held_deviations(beats: np.ndarray, bpm: float) -> np.ndarray:
    envelope = pulses(beats).astype(np.float32)
    held = tempo.held_beats(envelope, np.full(len(envelope), bpm), RATE, HOP)
    return np.abs(60 / np.diff(held) / bpm - 1)


def test_held_beats_are_placed_between_whole_frames():
    # 165 BPM is 31.3 frames a beat: beats on whole frames would be 1 % off, beat by beat
    assert np.median(held_deviations(train(165, 0.2, 40), 165)) < 0.005


def test_held_beats_are_not_pulled_over_by_a_passage_on_the_off_beats():
    beats = train(165, 0.2, 40)
    played = np.where((beats > 15) & (beats < 22), beats + 30 / 165, beats)
    assert held_deviations(played, 165).max() < 0.1


def test_the_target_tempo_is_the_heard_one_at_the_chosen_level():
    chosen = train(164, 0.5, 40)
    target = tempo_refine.target_tempo(chosen, np.full(round(40 / FRAME), 41.0), FRAME)
    assert np.abs(target[round(1 / FRAME):] / 164 - 1).max() < 0.001


def test_the_target_tempo_corrects_a_heard_tempo_a_little_off_by_the_chosen_beats():
    chosen = train(164, 0.5, 40)
    target = tempo_refine.target_tempo(chosen, np.full(round(40 / FRAME), 162.4), FRAME)
    assert np.abs(target[round(1 / FRAME):] / 164 - 1).max() < 0.001


def test_a_slip_of_the_chosen_beats_does_not_move_the_target_tempo():
    chosen = slipped(164, 60, 1.08, 20, 10)
    target = tempo_refine.target_tempo(chosen, np.full(round(25 / FRAME), 164.0), FRAME)
    assert np.abs(target[round(1 / FRAME):] / 164 - 1).max() < 0.001


def test_a_few_chosen_beats_at_another_level_do_not_change_the_targets_level():
    chosen = slipped(164, 60, 1.25, 20, 3)
    target = tempo_refine.target_tempo(chosen, np.full(round(25 / FRAME), 164.0), FRAME)
    assert np.abs(target[round(1 / FRAME):] / 164 - 1).max() < 0.001


def test_each_section_keeps_the_beats_its_notes_fit_better():
    steady, drifting = train(150, 0, 20), train(153, 0, 20)
    onsets = train(150, 0, 20) + 0.2
    onsets = np.r_[onsets, onsets + 20]
    kept = tempo_refine.better_fit([(0, 20), (20, 40)], [steady, drifting + 20],
                                   [drifting, steady + 20], onsets)
    assert kept[0] is steady and np.array_equal(kept[1], steady + 20)


def test_refined_beats_hold_the_tempo_through_a_slip_of_the_chosen_ones():
    # eight beats a sixteenth short each: the tracker moved over to the off-beats
    chosen = slipped(164, 100, 16 / 15, 40, 8)
    length = round(40 / FRAME)
    onsets = train(2 * 164, 0, 39)
    beats = tempo.refined(chosen, np.full(length, 164.0), np.full(length, 164.0), FRAME,
                          ideal_tracker, onsets)
    assert all(tempo_at(beats, s) == pytest.approx(164, rel=0.01) for s in np.arange(2, 35, 0.5))


def test_refined_beats_keep_the_chosen_ones_where_the_held_tracker_fits_worse():
    chosen = train(164, 0.5, 39)
    length = round(40 / FRAME)
    beats = tempo.refined(chosen, np.full(length, 164.0), np.full(length, 160.0), FRAME,
                          lambda bpm: train(150, 0.5, 39), chosen)
    assert tempo_at(beats, 20.0) == pytest.approx(164, rel=0.005)


def test_a_short_first_beat_costs_one_tempo_event_not_one_every_other_beat():
    beats = list(0.7498524 + 0.374996 * np.arange(100))
    built = tempo_map.build(beats, 4, 0, 38.0)
    assert len(built.tempos) <= 2
    chart = np.array(built.beat_times[2:100])
    assert np.abs(chart - np.array(beats[:98])).max() <= tempo_map.DRIFT_LIMIT
