"""Drum hits from the percussive part of the audio: each onset sorted into kick, snare, hi-hat
or crash by where its energy sits in the spectrum."""

from __future__ import annotations

import numpy as np

KICK_BAND = (20.0, 150.0)
SNARE_BAND = (150.0, 2500.0)
CYMBAL_BAND = (5000.0, 11000.0)


def classify_hits(onsets: np.ndarray, percussive: np.ndarray, rate: int,
                  hop: int) -> tuple[list[str], list[float]]:
    """The kind and strength (0..1) of each percussive onset."""
    import librosa

    freqs = librosa.mel_frequencies(n_mels=percussive.shape[0], fmax=rate / 2)
    bands = [(freqs >= low) & (freqs < high) for low, high in (KICK_BAND, SNARE_BAND,
                                                               CYMBAL_BAND)]
    frames = np.clip(np.round(onsets * rate / hop).astype(int), 0, percussive.shape[1] - 1)
    energy = np.array([[percussive[band, f:f + 3].sum() for band in bands] for f in frames])
    if not len(energy):
        return [], []
    # Compare each band with its own typical level: cymbals carry far less energy than kicks.
    typical = np.percentile(energy, 75, axis=0) + 1e-9
    relative = energy / typical
    loudness = energy.sum(axis=1)
    strengths = np.minimum(1.0, loudness / (np.percentile(loudness, 95) + 1e-9))
    kinds = [_kind(row, strength) for row, strength in zip(relative, strengths, strict=True)]
    return kinds, [float(s) for s in strengths]


def _kind(relative: np.ndarray, strength: float) -> str:
    kick, snare, cymbal = relative
    if kick >= max(snare, cymbal):
        return "kick"
    if snare >= cymbal:
        return "snare"
    return "crash" if strength > 0.85 else "hihat"
