"""Note pitches: the pitch struck at each onset, heard over notes that still ring."""

from __future__ import annotations

import librosa  # noqa: F401  (the generator extra; make test installs it)
import numpy as np
import pytest

from services.ingest.generator import melody
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
    found, _, _ = melody.describe_notes(onsets, envelope, melody.harmonic_cqt(samples, RATE, HOP),
                                        FRAME, FRAME)
    return [int(p) for p in found]


def test_a_soft_note_is_heard_under_a_loud_one_still_ringing():
    assert pitches_of([(0.5, 62, 0.3), (0.6, 55, 0.12), (0.7, 59, 0.12)]) == [62, 55, 59]


def test_a_fast_run_over_ringing_notes_is_heard_note_by_note():
    run = [52, 55, 59, 62, 66, 62, 59, 55, 52]
    assert pitches_of([(0.5 + 0.09 * i, midi, 0.3) for i, midi in enumerate(run)]) == run


@pytest.mark.parametrize("midi", [43, 48, 52, 60])
def test_a_low_string_struck_again_fast_keeps_its_pitch(midi):
    notes = [(0.5 + 0.1 * i, midi, 0.3) for i in range(6)]
    assert pitches_of(notes, cut=True) == [midi] * 6
