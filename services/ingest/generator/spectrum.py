"""The mel power spectrum and its onset envelope, computed block by block so a long song never
holds a full-length complex STFT in memory."""

from __future__ import annotations

import numpy as np

N_FFT = 2048
HOP = 256          # 11.6 ms at 22050 Hz: fine enough for note timing
N_MELS = 128
BLOCK = 4096       # frames per STFT block (about 48 s): bounds the STFT's memory
LAG = 0.030        # seconds the onset envelope peaks after the true onset (measured)


def mel_power(samples: np.ndarray, rate: int) -> np.ndarray:
    """float32 mel power (N_MELS by frames), framed exactly as librosa's centred STFT would."""
    import librosa

    padded = np.pad(samples.astype(np.float32, copy=False), N_FFT // 2)
    frames = 1 + len(samples) // HOP
    basis = librosa.filters.mel(sr=rate, n_fft=N_FFT, n_mels=N_MELS).astype(np.float32)
    mel = np.empty((N_MELS, frames), dtype=np.float32)
    for first in range(0, frames, BLOCK):
        last = min(first + BLOCK, frames)
        chunk = padded[first * HOP: (last - 1) * HOP + N_FFT]
        stft = librosa.stft(chunk, n_fft=N_FFT, hop_length=HOP, center=False)
        mel[:, first:last] = basis @ (np.abs(stft) ** 2)
        del stft
    return mel


def onset_envelope(power: np.ndarray, rate: int, spread: int = 3) -> np.ndarray:
    """Superflux onset strength (lag 2): each mel band's rise over the loudest of the `spread`
    bands around it two frames before. Over 3 bands (the beats' envelope) the rise of one note
    over the ringing of the one before shows, vibrato and steady tones do not; over 1 band (the
    notes' envelope) so does each note of a fast run of neighbouring pitches, which rises beside
    the ones still ringing."""
    import librosa

    return librosa.onset.onset_strength(S=librosa.power_to_db(power, ref=np.max), sr=rate,
                                        hop_length=HOP, n_fft=N_FFT, lag=2,
                                        max_size=spread).astype(np.float32)
