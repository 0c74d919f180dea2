"""Audio at the generator's edges: check and decode the input, read its tags, encode song.ogg."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import soundfile

from .errors import GenerationError

SUPPORTED = ("ogg", "opus", "mp3", "wav", "flac")
ANALYSIS_RATE = 22050
MIN_SECONDS = 10.0
SILENT_DBFS = -50.0
ENCODE_BLOCK = 65536  # frames per write when encoding Vorbis
TAG_FIELDS = {"name": "title", "artist": "artist", "album": "album", "genre": "genre",
              "year": "date"}


@dataclass(frozen=True)
class DecodedAudio:
    """The input as mono samples at the analysis rate, with its length in seconds."""

    samples: np.ndarray
    rate: int
    duration: float


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def decode(data: bytes, filename: str, max_seconds: float) -> DecodedAudio:
    """Mono float32 samples at ANALYSIS_RATE; raises GenerationError for unusable input."""
    if extension(filename) not in SUPPORTED:
        raise GenerationError(f"“{filename}” is not a supported audio file: use "
                              f"{', '.join(SUPPORTED)}.")
    try:
        info = soundfile.info(io.BytesIO(data))
        _check_length(info.frames / info.samplerate, max_seconds)  # before decoding it all
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:
        raise GenerationError(f"“{filename}” could not be read as audio; it may be damaged or "
                              "not audio at all.") from error
    mono = samples.mean(axis=1)
    duration = len(mono) / rate
    _check_length(duration, max_seconds)
    _check_not_silent(mono)
    return DecodedAudio(_resampled(mono, rate), ANALYSIS_RATE, duration)


def _check_length(seconds: float, max_seconds: float) -> None:
    if seconds < MIN_SECONDS:
        raise GenerationError(f"The audio is only {seconds:.1f} s long; a song needs at least "
                              f"{MIN_SECONDS:.0f} s of music.")
    if seconds > max_seconds:
        raise GenerationError(f"The audio is {seconds / 60:.1f} minutes long, more than the "
                              f"{max_seconds / 60:.0f} minutes this server generates songs for.")


def _check_not_silent(mono: np.ndarray) -> None:
    block = 4096
    usable = mono[: len(mono) // block * block].reshape(-1, block)
    loudest = float(np.sqrt((usable.astype(np.float64) ** 2).mean(axis=1)).max(initial=0.0))
    if loudest <= 10 ** (SILENT_DBFS / 20):
        raise GenerationError("The audio is silent: there is no music to chart.")


def _resampled(mono: np.ndarray, rate: int) -> np.ndarray:
    if rate == ANALYSIS_RATE:
        return np.ascontiguousarray(mono)
    import soxr  # comes with librosa

    return soxr.resample(mono, rate, ANALYSIS_RATE, quality="HQ").astype(np.float32)


def read_tags(data: bytes) -> dict[str, str]:
    """Title, artist, album, genre and year from the file's tags (empty when none)."""
    import mutagen

    try:
        tagged = mutagen.File(io.BytesIO(data), easy=True)
    except Exception:  # mutagen raises many kinds for odd files; tags are only a nicety
        return {}
    if tagged is None or not tagged.tags:
        return {}
    found = {}
    for field, tag in TAG_FIELDS.items():
        values = tagged.tags.get(tag) or []
        if values and str(values[0]).strip():
            found[field] = str(values[0]).strip()
    if "year" in found:
        found["year"] = found["year"][:4]
    return found


def song_audio(data: bytes, filename: str) -> tuple[str, bytes]:
    """The song's audio file: Ogg and Opus are kept as they are, anything else becomes Vorbis."""
    kind = extension(filename)
    if kind in ("ogg", "opus"):
        return f"song.{kind}", data
    samples, rate = soundfile.read(io.BytesIO(data), dtype="float32", always_2d=True)
    out = io.BytesIO()
    channels = min(samples.shape[1], 2)
    with soundfile.SoundFile(out, "w", rate, channels, format="OGG", subtype="VORBIS") as ogg:
        for start in range(0, len(samples), ENCODE_BLOCK):  # one big write crashes libsndfile
            ogg.write(samples[start:start + ENCODE_BLOCK, :channels])
    return "song.ogg", out.getvalue()
