"""Audio at the generator's edges: check and decode the input, read its tags, encode song.ogg."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import soundfile

from .errors import GenerationError

SUPPORTED = ("ogg", "opus", "mp3", "wav", "flac")
ANALYSIS_RATE = 22050
MIN_SECONDS = 10.0
SILENT_DBFS = -50.0
ENCODE_BLOCK = 65536  # frames per write when encoding Vorbis
DECODE_BLOCK = 65536  # frames decoded at a time
SILENCE_BLOCK = 4096  # frames per loudness window
MAX_CHANNELS = 8  # 7.1 surround
MAX_RATE = 192_000
# Decoding costs time in proportion to frames x channels: as much as 20 minutes of 96 kHz stereo.
MAX_DECODED_SAMPLES = 1200 * 96_000 * 2
TAG_FIELDS = {"name": "title", "artist": "artist", "album": "album", "genre": "genre",
              "year": "date"}


@dataclass(frozen=True)
class AudioHeader:
    """What the file says it holds, read before any sample is decoded."""

    frames: int
    rate: int
    channels: int


@dataclass(frozen=True)
class DecodedAudio:
    """The input as mono samples at the analysis rate, with its length in seconds."""

    samples: np.ndarray
    rate: int
    duration: float


def extension(filename: str) -> str:
    return filename.rsplit(".", 1)[-1].lower() if "." in filename else ""


def decode(data: bytes, filename: str, max_seconds: float) -> DecodedAudio:
    """Mono float32 samples at ANALYSIS_RATE; raises GenerationError for unusable input. The
    header is judged before a sample is decoded, and decoding goes block by block, so memory
    stays bounded whatever the file declares."""
    if extension(filename) not in SUPPORTED:
        raise GenerationError(f"“{filename}” is not a supported audio file: use "
                              f"{', '.join(SUPPORTED)}.")
    try:
        header = read_header(data)
        check_budget(header, max_seconds)  # before decoding anything
        loudest, frames, samples = _decode_mono(data, header)
    except (soundfile.LibsndfileError, RuntimeError, TypeError) as error:
        raise GenerationError(f"“{filename}” could not be read as audio; it may be damaged or "
                              "not audio at all.") from error
    duration = frames / header.rate
    _check_length(duration, max_seconds)
    if loudest <= 10 ** (SILENT_DBFS / 20):
        raise GenerationError("The audio is silent: there is no music to chart.")
    return DecodedAudio(samples, ANALYSIS_RATE, duration)


def read_header(data: bytes) -> AudioHeader:
    info = soundfile.info(io.BytesIO(data))
    return AudioHeader(frames=info.frames, rate=info.samplerate, channels=info.channels)


def check_budget(header: AudioHeader, max_seconds: float) -> None:
    """Refuse, from the header alone, audio too long or too costly to decode."""
    if not 0 < header.channels <= MAX_CHANNELS:
        raise GenerationError(f"The audio has {header.channels} channels; the generator takes "
                              f"at most {MAX_CHANNELS}.")
    if not 0 < header.rate <= MAX_RATE:
        raise GenerationError(f"The audio is sampled at {header.rate} Hz; the generator takes "
                              f"at most {MAX_RATE} Hz.")
    _check_length(header.frames / header.rate, max_seconds)
    if header.frames * header.channels > MAX_DECODED_SAMPLES:
        raise GenerationError(
            f"The audio holds {header.frames * header.channels / 1e6:.0f} million samples "
            f"({header.channels} channels at {header.rate} Hz), more than the "
            f"{MAX_DECODED_SAMPLES / 1e6:.0f} million this server decodes for a song.")


def _decode_mono(data: bytes, header: AudioHeader) -> tuple[float, int, np.ndarray]:
    """(loudest RMS over SILENCE_BLOCK frames, frames decoded, mono samples at ANALYSIS_RATE),
    one block at a time. libsndfile reads no further than the header's frame count, so what was
    budgeted is all that is decoded."""
    resampler = _Resampler(header.rate)
    loudest, frames, pieces = 0.0, 0, []
    with soundfile.SoundFile(io.BytesIO(data)) as source:
        for block in _blocks(source, DECODE_BLOCK):
            frames += len(block)
            mono = block.mean(axis=1)
            loudest = max(loudest, _loudest(mono))
            pieces.append(resampler.take(mono))
    pieces.append(resampler.take(np.empty(0, np.float32), last=True))
    return loudest, frames, np.ascontiguousarray(np.concatenate(pieces), dtype=np.float32)


def _blocks(source: soundfile.SoundFile, size: int) -> Iterator[np.ndarray]:
    """Float32 frames, `size` at a time, until the data ends (SoundFile.blocks would go on to
    the count the header declares, repeating stale samples where the data falls short)."""
    while len(block := source.read(size, dtype="float32", always_2d=True)):
        yield block


def _loudest(mono: np.ndarray) -> float:
    # Whole windows only: DECODE_BLOCK is a multiple of SILENCE_BLOCK, so only the last,
    # short block drops its tail.
    usable = mono[: len(mono) // SILENCE_BLOCK * SILENCE_BLOCK].reshape(-1, SILENCE_BLOCK)
    return float(np.sqrt((usable.astype(np.float64) ** 2).mean(axis=1)).max(initial=0.0))


class _Resampler:
    """Mono blocks to ANALYSIS_RATE as they are decoded, with the state kept across blocks."""

    def __init__(self, rate: int) -> None:
        self._stream = None
        if rate != ANALYSIS_RATE:
            import soxr  # comes with librosa

            self._stream = soxr.ResampleStream(rate, ANALYSIS_RATE, 1, dtype="float32",
                                               quality="HQ")

    def take(self, mono: np.ndarray, last: bool = False) -> np.ndarray:
        if self._stream is None:
            return mono
        return self._stream.resample_chunk(mono, last=last)


def _check_length(seconds: float, max_seconds: float) -> None:
    if seconds < MIN_SECONDS:
        raise GenerationError(f"The audio is only {seconds:.1f} s long; a song needs at least "
                              f"{MIN_SECONDS:.0f} s of music.")
    if seconds > max_seconds:
        raise GenerationError(f"The audio is {seconds / 60:.1f} minutes long, more than the "
                              f"{max_seconds / 60:.0f} minutes this server generates songs for.")


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
    """The song's audio file: Ogg and Opus are kept as they are, anything else becomes Vorbis
    (at most stereo), re-encoded block by block."""
    kind = extension(filename)
    if kind in ("ogg", "opus"):
        return f"song.{kind}", data
    out = io.BytesIO()
    with soundfile.SoundFile(io.BytesIO(data)) as source:
        channels = min(source.channels, 2)
        with soundfile.SoundFile(out, "w", source.samplerate, channels, format="OGG",
                                 subtype="VORBIS") as ogg:
            # One big write crashes libsndfile, and one big read would hold the whole song.
            for block in _blocks(source, ENCODE_BLOCK):
                ogg.write(block[:, :channels])
    return "song.ogg", out.getvalue()
