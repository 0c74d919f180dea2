"""Audio → frozen analysis: tempo map, time signature, pitched notes, drum hits and sections.

Beats come from the superflux envelope of the whole mel spectrum, note onsets from its finer
form that shows each note of a fast run (`spectrum.onset_envelope`), note pitches
from a constant-Q spectrum with the percussive part masked out, drum hits from the mel spectrum
with the harmonic part masked out. Every spectrum is float32 at 22050 Hz and the constant-Q
one is computed only once beats are known; a four-minute song stays well under 1 GB.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import melody, percussion, spectrum, structure, tempo
from .errors import GenerationError

HOP, LAG = spectrum.HOP, spectrum.LAG


@dataclass(frozen=True)
class Note:
    time: float
    pitch: int
    ring: float
    strength: float


@dataclass(frozen=True)
class DrumHit:
    time: float
    kind: str
    strength: float


@dataclass(frozen=True)
class Section:
    time: float
    name: str
    energy: float


@dataclass(frozen=True)
class Analysis:
    """Everything the charting needs to know about one song's audio."""

    duration: float
    beats: tuple[float, ...]
    beats_per_measure: int
    first_downbeat: int
    notes: tuple[Note, ...]
    drums: tuple[DrumHit, ...]
    sections: tuple[Section, ...]


def analyse(samples: np.ndarray, rate: int) -> Analysis:
    """Analyse mono samples; raises GenerationError when no music can be found."""
    mel = spectrum.mel_power(samples, rate)
    envelope = spectrum.onset_envelope(mel, rate)
    onsets, note_envelope = melody.note_onsets(mel, rate)
    drums = _drums(mel, rate)
    beat_onsets = melody.onset_times(envelope, rate, HOP, LAG)
    beats = tempo.track_beats(envelope, beat_onsets + LAG, rate, HOP) - LAG
    if len(beats) < 8:
        raise GenerationError("No steady beat could be found in this audio.")
    per_measure, downbeat = tempo.time_signature(_strength_at(beats, envelope, rate))
    harmonic = melody.harmonic_cqt(samples, rate, HOP)
    notes = _notes(onsets, note_envelope, harmonic, rate)
    if len(notes) < 8:
        raise GenerationError("No notes could be found in this audio.")
    sections = _sections(mel, harmonic, beats[downbeat::per_measure], rate)
    del harmonic, mel
    return Analysis(duration=len(samples) / rate, beats=tuple(float(b) for b in beats),
                    beats_per_measure=per_measure, first_downbeat=downbeat, notes=notes,
                    drums=drums, sections=sections)


def _strength_at(times: np.ndarray, envelope: np.ndarray, rate: int) -> np.ndarray:
    frames = np.clip(((times + LAG) * rate / HOP).astype(int), 0, len(envelope) - 1)
    return np.array([envelope[max(0, f - 1): f + 3].max() for f in frames])


def _notes(onsets: np.ndarray, envelope: np.ndarray, harmonic: np.ndarray,
           rate: int) -> tuple[Note, ...]:
    """A note at each onset that struck a pitch, pitched by the harmonic spectrum around it."""
    if not len(onsets):
        return ()
    frame = HOP / rate
    described = melody.describe_notes(onsets, envelope, harmonic, frame, frame)
    return tuple(Note(float(t), int(p), float(r), float(s))
                 for t, p, r, s, note in zip(onsets, described.pitches, described.rings,
                                             described.strengths,
                                             melody.pitched(described.growths), strict=True)
                 if note)


def _drums(mel: np.ndarray, rate: int) -> tuple[DrumHit, ...]:
    import scipy.ndimage

    spread = scipy.ndimage.median_filter(mel, size=(9, 1)) ** 2
    steady = scipy.ndimage.median_filter(mel, size=(1, 17)) ** 2
    percussive = mel * (spread / (spread + steady + 1e-20))
    onsets = melody.onset_times(spectrum.onset_envelope(percussive, rate), rate, HOP, LAG)
    kinds, strengths = percussion.classify_hits(onsets, percussive, rate, HOP)
    return tuple(DrumHit(float(t), k, s) for t, k, s in zip(onsets, kinds, strengths,
                                                             strict=True))


def _sections(mel: np.ndarray, harmonic: np.ndarray, measure_starts: np.ndarray,
              rate: int) -> tuple[Section, ...]:
    import librosa

    frames = min(mel.shape[1], harmonic.shape[1])
    features = np.vstack([librosa.feature.mfcc(S=librosa.power_to_db(mel), n_mfcc=13),
                          librosa.feature.chroma_cqt(C=harmonic, bins_per_octave=12)])
    features = features[:, :frames]
    at = np.clip(librosa.time_to_frames(measure_starts, sr=rate, hop_length=HOP), 0, frames - 1)
    starts = structure.segment(features, at, len(mel[0]) * HOP / rate)
    labels = structure.names(features, starts, at)
    loudness = np.sqrt(mel.sum(axis=0))
    bounds = [*(int(at[s]) for s in starts), len(loudness)]
    return tuple(Section(float(measure_starts[s]), name,
                         float(loudness[bounds[i]:max(bounds[i + 1], bounds[i] + 1)].mean()))
                 for i, (s, name) in enumerate(zip(starts, labels, strict=True)))
