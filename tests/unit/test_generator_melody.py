"""Notes in audio: each onset found, fast runs included, and the pitch struck at each, heard
over notes that still ring."""

from __future__ import annotations

import librosa  # noqa: F401  (the generator extra; make test installs it)
import numpy as np
import pytest

from services.ingest.generator import melody, spectrum
from services.ingest.generator.spectrum import HOP

RATE = 22050
FRAME = HOP / RATE


def tone(midi: int, seconds: float) -> np.ndarray:
    """A plucked tone with five harmonics that rings on, decaying slowly."""
    t = np.arange(int(seconds * RATE)) / RATE
    freq = 440 * 2 ** ((midi - 69) / 12)
    wave = sum(np.sin(2 * np.pi * freq * k * t) / k ** 1.5 for k in range(1, 6))
    return (wave * np.exp(-2.0 * t) * np.minimum(1, t / 0.004)).astype(np.float32)


def pitches_of(notes: list[tuple[float, int, float]], cut: bool = False) -> list[int]:
    """Pitches found for (onset seconds, MIDI pitch, gain) notes, each ringing for 1.5 s, or
    until the next note when `cut` (one string struck again and again)."""
    samples = np.zeros(int(3.0 * RATE), dtype=np.float32)
    for i, (onset, midi, gain) in enumerate(notes):
        start = int(onset * RATE)
        sound = tone(midi, 1.5)
        if cut and i + 1 < len(notes):
            sound = sound[: int(notes[i + 1][0] * RATE) - start]
            sound *= np.minimum(1, (len(sound) - np.arange(len(sound))) / (0.005 * RATE))
        samples[start:start + len(sound)] += gain * sound
    onsets = np.array([onset for onset, _, _ in notes])
    envelope = np.ones(len(samples) // HOP + 1, dtype=np.float32)
    described = melody.describe_notes(onsets, envelope, melody.harmonic_cqt(samples, RATE, HOP),
                                      FRAME, FRAME)
    return [int(p) for p in described.pitches]


def test_a_soft_note_is_heard_under_a_loud_one_still_ringing():
    assert pitches_of([(0.5, 62, 0.3), (0.6, 55, 0.12), (0.7, 59, 0.12)]) == [62, 55, 59]


def test_a_fast_run_over_ringing_notes_is_heard_note_by_note():
    run = [52, 55, 59, 62, 66, 62, 59, 55, 52]
    assert pitches_of([(0.5 + 0.09 * i, midi, 0.3) for i, midi in enumerate(run)]) == run


@pytest.mark.parametrize("midi", [43, 48, 52, 60])
def test_a_low_string_struck_again_fast_keeps_its_pitch(midi):
    notes = [(0.5 + 0.1 * i, midi, 0.3) for i in range(6)]
    assert pitches_of(notes, cut=True) == [midi] * 6


def rendered(notes: list[tuple[float, int, float]], seconds: float,
             length: float = 1.5) -> np.ndarray:
    """(onset seconds, MIDI pitch, gain) notes, each `length` seconds long and faded out."""
    samples = np.zeros(int(seconds * RATE), dtype=np.float32)
    for onset, midi, gain in notes:
        start = int(onset * RATE)
        sound = tone(midi, min(length, seconds - onset))
        sound *= np.minimum(1, (len(sound) - np.arange(len(sound))) / (0.04 * RATE))
        samples[start:start + len(sound)] += gain * sound
    return samples


def note_onsets(samples: np.ndarray) -> np.ndarray:
    return melody.note_onsets(spectrum.mel_power(samples, RATE), RATE)[0]


def found_share(truth: np.ndarray, found: np.ndarray) -> float:
    return float(np.mean([np.abs(found - t).min() <= 0.03 for t in truth]))


def test_every_note_of_a_fast_run_is_found():
    # Sixteen notes a second up and down a scale, each ringing on under the next.
    scale = (55, 57, 59, 60, 62, 64, 62, 60, 59, 57)
    run = [(0.5 + 0.06 * i, scale[i % len(scale)], 0.3) for i in range(60)]
    found = note_onsets(rendered(run, 4.5))
    assert found_share(np.array([t for t, _, _ in run]), found) >= 0.95
    assert len(found) <= len(run) + 2


def test_a_note_dying_away_is_not_a_new_note():
    # Half-second notes, faded out at their end while the next ones ring: a fade spreads the
    # tone over its neighbouring bands for a moment, which must not read as a note struck.
    melody_ = (52, 59, 55, 62, 66, 59, 52, 55, 62, 59, 66, 55) * 2
    gaps = (0.234, 0.468, 0.234, 0.117, 0.234, 0.468)
    times = 0.5 + np.cumsum([0.0, *(gaps[i % len(gaps)] for i in range(len(melody_) - 1))])
    found = note_onsets(rendered([(t, m, 0.3) for t, m in zip(times, melody_, strict=True)],
                                 times[-1] + 1.0, length=0.5))
    assert found_share(times, found) == 1.0
    assert len(found) <= len(times) + 1


def drum_hit(kind: str) -> np.ndarray:
    """A synthesized kick (a falling thump) or snare (a burst of noise)."""
    t = np.arange(int(0.25 * RATE)) / RATE
    if kind == "kick":
        return (np.sin(2 * np.pi * (50 + 100 * np.exp(-t * 30)) * t) * np.exp(-t * 18)).astype(
            np.float32)
    noise = np.random.default_rng(5).standard_normal(len(t))
    return (noise * np.exp(-t * 25) * 0.6).astype(np.float32)


def notes_kept(samples: np.ndarray) -> np.ndarray:
    """Onset times of the notes found (onsets that struck a pitch)."""
    onsets, envelope = melody.note_onsets(spectrum.mel_power(samples, RATE), RATE)
    described = melody.describe_notes(onsets, envelope, melody.harmonic_cqt(samples, RATE, HOP),
                                      FRAME, FRAME)
    return onsets[melody.pitched(described.growths)]


def test_drum_hits_between_the_notes_are_not_notes():
    # A melody on every beat at 150 BPM, a drum kit on every eighth: kick, snare, kick, snare.
    beat = 0.4
    times = 0.5 + beat * np.arange(20)
    samples = rendered([(t, (52, 55, 59, 62, 59, 55)[i % 6], 0.3) for i, t in enumerate(times)],
                       times[-1] + 1.0, length=0.5)
    for i in range(2 * len(times)):
        hit = drum_hit("kick" if i % 2 == 0 else "snare")
        start = int((0.5 + i * beat / 2) * RATE)
        samples[start:start + len(hit)] += 0.35 * hit[: len(samples) - start]
    found = notes_kept(samples)
    assert found_share(times, found) >= 0.95
    assert len(found) <= len(times) + 1


def test_onsets_that_strike_no_pitch_are_dropped_only_where_a_drum_kit_plays():
    struck, flat = np.linspace(0.8, 1.2, 30), np.full(15, 0.01)
    with_drums = melody.pitched(np.r_[struck, flat])          # a third strike nothing
    assert with_drums.tolist() == [True] * 30 + [False] * 15
    struck_again = melody.pitched(np.r_[struck, flat[:3]])    # a tenth: notes struck again
    assert struck_again.all()
