"""The generator's audio budget: a file whose header promises more than the server decodes is
refused from the header, and what is accepted is decoded block by block to the same signal."""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import soundfile
import soxr

from services.ingest.generator.audio import (
    ANALYSIS_RATE,
    AudioHeader,
    check_budget,
    decode,
    song_audio,
)
from services.ingest.generator.errors import GenerationError

# A FLAC's STREAMINFO: "fLaC", a 4-byte block header, then 10 bytes before the 64 bits that end
# in the 36-bit count of frames.
TOTAL_FRAMES_AT = slice(18, 26)
FRAME_BITS = (1 << 36) - 1
# Room for the decoder's own work, far below the 1.2 GB the bomb below would need in one piece.
HEADROOM_BYTES = 300 * 1024**2


def flac_declaring(frames: int, channels: int, rate: int) -> bytes:
    """A real, short FLAC whose header claims `frames` frames."""
    noise = np.random.default_rng(3).standard_normal((rate // 20, channels)) * 0.1
    out = io.BytesIO()
    soundfile.write(out, noise.astype(np.float32), rate, format="FLAC")
    data = bytearray(out.getvalue())
    fields = int.from_bytes(data[TOTAL_FRAMES_AT], "big")
    data[TOTAL_FRAMES_AT] = ((fields & ~FRAME_BITS) | frames).to_bytes(8, "big")
    return bytes(data)


def decode_with_memory_capped(data: bytes, tmp_path) -> str:
    """What `decode` says in a process whose address space cannot grow by HEADROOM_BYTES more."""
    (tmp_path / "bomb.flac").write_bytes(data)
    script = textwrap.dedent(f"""
        import resource, sys
        from pathlib import Path
        from services.ingest.generator.audio import decode
        from services.ingest.generator.errors import GenerationError
        size = int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
        resource.setrlimit(resource.RLIMIT_AS, (size + {HEADROOM_BYTES}, resource.RLIM_INFINITY))
        try:
            decode(Path(sys.argv[1]).read_bytes(), "bomb.flac", 1200.0)
        except GenerationError as error:
            print(error.reason)
        except MemoryError:
            print("MemoryError")
    """)
    result = subprocess.run([sys.executable, "-c", script, str(tmp_path / "bomb.flac")],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_a_flac_declaring_200_seconds_of_8_channels_at_192_khz_is_refused_before_decoding(
        tmp_path):
    bomb = flac_declaring(200 * 192_000, channels=8, rate=192_000)
    assert len(bomb) < 300_000  # 50 ms of real audio; decoded whole it would be 1.2 GB

    reason = decode_with_memory_capped(bomb, tmp_path)

    assert reason == ("The audio holds 307 million samples (8 channels at 192000 Hz), more "
                      "than the 230 million this server decodes for a song.")


@pytest.mark.parametrize(("header", "reason"), [
    (AudioHeader(frames=44_100 * 60, rate=44_100, channels=32),
     "The audio has 32 channels; the generator takes at most 8."),
    (AudioHeader(frames=384_000 * 60, rate=384_000, channels=2),
     "The audio is sampled at 384000 Hz; the generator takes at most 192000 Hz."),
    (AudioHeader(frames=48_000 * 1300, rate=48_000, channels=2),
     "The audio is 21.7 minutes long, more than the 20 minutes this server generates songs "
     "for."),
])
def test_channels_rate_and_length_beyond_the_limits_are_refused_from_the_header(header,
                                                                                  reason):
    with pytest.raises(GenerationError) as refused:
        check_budget(header, 1200.0)
    assert refused.value.reason == reason


def test_twenty_minutes_of_96_khz_stereo_is_within_the_budget():
    check_budget(AudioHeader(frames=96_000 * 1200, rate=96_000, channels=2), 1200.0)


def stereo(rate: int, seconds: float) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    noise = np.random.default_rng(5).standard_normal(len(t))
    return np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.1 * noise], axis=1).astype(np.float32)


def test_a_stereo_file_decodes_block_by_block_to_the_signal_of_decoding_it_whole():
    samples = stereo(44_100, 12.5)
    out = io.BytesIO()
    soundfile.write(out, samples, 44_100, format="WAV", subtype="FLOAT")

    decoded = decode(out.getvalue(), "tone.wav", 1200.0)

    whole = soxr.resample(samples.mean(axis=1), 44_100, ANALYSIS_RATE, quality="HQ")
    assert decoded.rate == ANALYSIS_RATE and decoded.duration == pytest.approx(12.5)
    assert len(decoded.samples) == len(whole)
    np.testing.assert_allclose(decoded.samples, whole, atol=1e-6)


def test_song_ogg_is_encoded_block_by_block_from_the_first_two_channels():
    samples = np.concatenate([stereo(44_100, 11.0), np.zeros((485_100, 1), np.float32)], axis=1)
    out = io.BytesIO()
    soundfile.write(out, samples, 44_100, format="FLAC")

    name, data = song_audio(out.getvalue(), "three.flac")

    ogg, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    assert name == "song.ogg" and rate == 44_100 and ogg.shape == (485_100, 2)
    tone_error = np.sqrt(np.mean((ogg[:, 0] - samples[:, 0]) ** 2))
    assert tone_error < 0.01  # Vorbis is lossy: the tone comes back close, not exact


def test_an_8_channel_192_khz_file_is_decoded_and_encoded_in_bounded_memory(tmp_path):
    """Eleven seconds of it are 68 MB as float32: decoded whole, the peak would rise by more."""
    rate, seconds = 192_000, 11
    tone = (0.2 * np.sin(2 * np.pi * 220 * np.arange(rate) / rate)).astype(np.float32)
    path = tmp_path / "surround.flac"
    with soundfile.SoundFile(path, "w", rate, 8, format="FLAC", subtype="PCM_16") as flac:
        for _ in range(seconds):
            flac.write(np.repeat(tone[:, None], 8, axis=1))
    script = textwrap.dedent("""
        import re, sys
        from pathlib import Path
        from services.ingest.generator.audio import decode, song_audio
        def peak():
            status = Path("/proc/self/status").read_text()
            return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) * 1024
        data = Path(sys.argv[1]).read_bytes()
        before = peak()
        decoded = decode(data, "surround.flac", 1200.0)
        name, ogg = song_audio(data, "surround.flac")
        print(peak() - before, round(decoded.duration, 3), name)
    """)
    result = subprocess.run([sys.executable, "-c", script, str(path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    grown, duration, name = result.stdout.split()
    assert (float(duration), name) == (seconds, "song.ogg")
    assert int(grown) < 30 * 1024**2
