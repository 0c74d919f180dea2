"""Pitched notes from the audio: onsets, the pitch struck at each, how long it rings and how
hard it was struck."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import spectrum

LOWEST_MIDI = 36            # C2: the CQT's first bin
BINS = 56                   # C2 to G#6, one bin a semitone
HARMONIC_OFFSETS = (0, 12, 19, 24, 28)  # semitones to the first five harmonics
HARMONIC_WEIGHTS = (1.0, 0.8, 0.6, 0.5, 0.4)
MIN_GAP = 0.035             # seconds; closer onsets are one note
DELTA = 0.02                # how far a peak must rise above the envelope's local mean
FLOOR = 0.02                # ... and its share of the loudest onset
# A note dying away spreads over the bands beside it for a moment as it fades, which the notes'
# envelope (`spectrum.onset_envelope` over one band) shows as a small rise. Struck notes, soft
# ones and fast runs included, rise well above this share of the loud ones.
QUIET = 0.15
# A drum hit strikes no pitch: the harmonics at its onset barely grow (under UNSTRUCK of what a
# strongly struck note grows, the song's 90th percentile). Where many onsets are such (over
# DRUMMED of them), a drum kit plays and they are its hits; where few are, they are notes struck
# again over themselves, which grow little, and stay notes.
UNSTRUCK = 0.04
DRUMMED = 0.15
RING_FLOOR = 0.3            # a note rings while its pitch keeps this share of its peak
BEFORE = 0.023              # seconds of spectrum before an onset that a struck note grows from
GREW = 0.01                 # growth under this share of what sounds after an onset is none


def harmonic_cqt(samples: np.ndarray, rate: int, hop: int) -> np.ndarray:
    """Constant-Q magnitudes (one bin a semitone from C2) with the percussive part masked out:
    what is steady in time is kept, what is spread across frequency is not."""
    import librosa
    import scipy.ndimage

    cqt = np.abs(librosa.cqt(samples, sr=rate, hop_length=hop, tuning=0.0,
                             fmin=librosa.midi_to_hz(LOWEST_MIDI), n_bins=BINS + 28,
                             bins_per_octave=12)).astype(np.float32)
    steady = scipy.ndimage.median_filter(cqt, size=(1, 5)) ** 2
    spread = scipy.ndimage.median_filter(cqt, size=(9, 1)) ** 2
    return cqt * (steady / (steady + spread + 1e-12))


def pitch_salience(harmonic: np.ndarray) -> np.ndarray:
    """Per frame, how strongly each semitone sounds as a fundamental (harmonics summed)."""
    salience = np.zeros((BINS, harmonic.shape[1]), dtype=np.float32)
    for offset, weight in zip(HARMONIC_OFFSETS, HARMONIC_WEIGHTS, strict=True):
        salience += weight * harmonic[offset:offset + BINS]
    return salience


def note_onsets(mel: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(note onset times in seconds, the envelope they were read from) of a mel power spectrum:
    the notes' envelope shows each note of a fast run; the small rises of notes dying away are
    dropped."""
    envelope = spectrum.onset_envelope(mel, rate, spread=1)
    return onset_times(envelope, rate, spectrum.HOP, spectrum.LAG, quiet=QUIET), envelope


def onset_times(envelope: np.ndarray, rate: int, hop: int, lag: float,
                quiet: float = 0.0) -> np.ndarray:
    """Onset times in seconds from an onset envelope, corrected for the envelope's lag. Peaks
    are judged against only ±50 ms of envelope, so a fast run of notes is not averaged away;
    peaks under `quiet` of the loud ones (the envelope's 98th percentile) are dropped."""
    import librosa

    near = max(1, round(0.05 * rate / hop))
    frames = librosa.onset.onset_detect(onset_envelope=envelope, sr=rate, hop_length=hop,
                                        delta=DELTA, wait=int(MIN_GAP * rate / hop),
                                        pre_max=2, post_max=2, pre_avg=near, post_avg=near + 1)
    strongest = envelope.max() if envelope.size else 0.0
    loud = np.percentile(envelope, 98) if envelope.size else 0.0
    kept = [f for f in frames if envelope[f] >= max(FLOOR * strongest, quiet * loud)]
    return np.maximum(librosa.frames_to_time(kept, sr=rate, hop_length=hop) - lag, 0.0)


@dataclass(frozen=True)
class Described:
    """Of each onset, in order: what sounds there."""

    pitches: np.ndarray     # MIDI numbers
    rings: np.ndarray       # seconds the pitch rings
    strengths: np.ndarray   # how hard it was struck, 0..1
    growths: np.ndarray     # how much the pitch's harmonics grew at the onset (see `pitched`)


def describe_notes(onsets: np.ndarray, envelope: np.ndarray, harmonic: np.ndarray,
                   frame_seconds: float, env_seconds: float) -> Described:
    """What sounds at each onset, from the harmonic constant-Q spectrum (`harmonic_cqt`) and
    the onset envelope."""
    salience = pitch_salience(harmonic)
    pitches, rings, strengths, growths = [], [], [], []
    loud = np.percentile(envelope, 98) if envelope.size else 1.0
    ends = [*onsets[1:], onsets[-1] + 2.0] if len(onsets) else []
    for start, end in zip(onsets, ends, strict=True):
        first = round((start + 0.03) / frame_seconds)
        last = max(first + 1, round(min(end, start + 0.25) / frame_seconds))
        before = slice(max(0, round((start - BEFORE) / frame_seconds)),
                       max(1, round(start / frame_seconds)))
        after = slice(first, last) if first < harmonic.shape[1] else slice(-1, None)
        bin_, grown = _struck_pitch(harmonic[:, before].mean(axis=1),
                                    harmonic[:, after].mean(axis=1))
        pitches.append(LOWEST_MIDI + bin_)
        growths.append(grown)
        rings.append(_ring_time(salience[bin_], first, int(end / frame_seconds)) * frame_seconds)
        peak = envelope[int(start / env_seconds): int(start / env_seconds) + 4]
        strengths.append(min(1.0, float(peak.max(initial=0.0)) / max(loud, 1e-9)))
    return Described(np.asarray(pitches), np.asarray(rings), np.asarray(strengths),
                     np.asarray(growths))


def pitched(growths: np.ndarray) -> np.ndarray:
    """Which onsets are notes, by how much the pitch struck at each grew (`Described.growths`):
    all of them, unless a drum kit plays (see UNSTRUCK and DRUMMED)."""
    if not len(growths):
        return np.ones(0, dtype=bool)
    struck = growths >= UNSTRUCK * np.percentile(growths, 90)
    return struck if np.mean(~struck) > DRUMMED else np.ones(len(growths), dtype=bool)


def _struck_pitch(before: np.ndarray, after: np.ndarray) -> tuple[int, float]:
    """The semitone (a bin of `pitch_salience`) struck at an onset, from the harmonic spectrum
    just before it and just after it, and how much its harmonics grew.

    Growth is taken bin by bin before the harmonics are summed, so a note still ringing from
    before does not count and a soft note under a loud ringing one is found. Growth is weighed
    by how strongly the pitch then sounds (square root of its share of the strongest) and only
    pitches that sound as a peak can win: a note struck again, which grows little, is not
    taken for its octave or the semitone beside it. Where next to nothing grew, the strongest
    pitch."""
    growth = np.maximum(after - before, 0.0)
    sounding = pitch_salience(after[:, None])[:, 0]
    if growth.sum() < GREW * after.sum():
        return int(np.argmax(sounding)), 0.0
    grown = pitch_salience(growth[:, None])[:, 0]
    score = grown * np.sqrt(sounding / max(float(sounding.max()), 1e-12))
    padded = np.pad(sounding, 1)
    peaks = (sounding >= padded[:-2]) & (sounding >= padded[2:])
    if (score * peaks).any():
        score = np.where(peaks, score, 0.0)
    best = int(np.argmax(score))
    return best, float(grown[best])


def _ring_time(track: np.ndarray, first: int, limit: int) -> int:
    """Frames from the onset until the pitch fades below RING_FLOOR of its peak."""
    span = track[first: max(first + 1, min(limit, len(track)))]
    if span.size == 0:
        return 0
    peak = span[: 8].max()
    below = np.nonzero(span < RING_FLOOR * peak)[0]
    return int(below[0] if below.size else span.size) + 3
