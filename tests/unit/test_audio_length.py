"""Song length read from audio headers agrees with libsndfile (soundfile) without decoding."""

from __future__ import annotations

import contextlib
import io
import random
import struct
import wave
from pathlib import Path

import numpy as np
import pytest
import soundfile

from shared.songs import scan_song
from shared.songs.audio import AudioReadError, audio_length_ms, ogg_length_ms
from tests.unit.test_scan_conformance import CORPUS

pytestmark = pytest.mark.unit

CORPUS_AUDIO = sorted(p for p in (CORPUS / "charts").rglob("*")
                      if p.suffix.lower() in (".ogg", ".opus", ".mp3", ".wav"))
INI = b"[song]\nname = Test\n"


def wav_bytes(seconds: float, rate: int = 44100, channels: int = 2) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(bytes(int(seconds * rate) * channels * 2))
    return buffer.getvalue()


def soundfile_bytes(seconds: float, rate: int, fmt: str, subtype: str | None = None) -> bytes:
    buffer = io.BytesIO()
    samples = np.sin(np.arange(int(seconds * rate)) / 20).astype("float32") * 0.3
    soundfile.write(buffer, samples, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def soundfile_ms(data: bytes) -> float:
    return soundfile.info(io.BytesIO(data)).duration * 1000


def test_a_wav_lasts_its_data_chunk_over_its_byte_rate():
    assert audio_length_ms(wav_bytes(2.5)) == pytest.approx(2500)
    assert audio_length_ms(wav_bytes(1.0, rate=22050, channels=1)) == pytest.approx(1000)


def test_a_wav_cut_short_counts_the_audio_that_is_there():
    data = wav_bytes(2.0)
    assert audio_length_ms(data[: len(data) // 2]) == pytest.approx(1000, abs=1)


@pytest.mark.parametrize("seconds, rate", [(1.0, 44100), (3.7, 48000), (0.4, 22050)])
def test_an_ogg_vorbis_length_matches_soundfile(seconds, rate):
    data = soundfile_bytes(seconds, rate, "OGG", "VORBIS")
    assert audio_length_ms(data) == pytest.approx(soundfile_ms(data), abs=0.5)
    assert audio_length_ms(data) == pytest.approx(seconds * 1000, abs=0.5)


def test_an_ogg_opus_length_is_the_granule_at_48_khz_minus_pre_skip():
    data = soundfile_bytes(2.0, 48000, "OGG", "OPUS")
    assert audio_length_ms(data) == pytest.approx(2000, abs=1)
    assert audio_length_ms(data) == pytest.approx(soundfile_ms(data), abs=1)


def ogg_page(granule: int, serial: int, sequence: int, packet: bytes, flags: int = 0) -> bytes:
    segments = [255] * (len(packet) // 255) + [len(packet) % 255]
    return (b"OggS" + bytes([0, flags]) + struct.pack("<qIII", granule, serial, sequence, 0)
            + bytes([len(segments), *segments]) + packet)


def test_a_hand_made_opus_stream_uses_its_last_page_of_the_first_stream():
    head = b"OpusHead" + bytes([1, 2]) + struct.pack("<HIhB", 312, 44100, 0, 0)
    data = (ogg_page(0, 7, 0, head, flags=2) + ogg_page(0, 7, 1, b"OpusTags" + bytes(8))
            + ogg_page(48_000 + 312, 7, 2, bytes(50)) + ogg_page(999_999, 8, 0, bytes(10))
            + ogg_page(-1, 7, 3, bytes(10)))
    assert ogg_length_ms(data) == pytest.approx(1000)


def mp3_frame(body: bytes = b"") -> bytes:
    """One MPEG-1 Layer III frame, 128 kbit/s, 44.1 kHz, stereo: 417 bytes, 1152 samples."""
    return (b"\xff\xfb\x90\x00" + body).ljust(417, b"\0")


def test_an_mp3_without_a_vbr_header_is_measured_by_counting_frames():
    data = b"ID3\x03\x00\x00\x00\x00\x00\x05" + bytes(5) + mp3_frame() * 100 + b"TAG" + bytes(125)
    assert audio_length_ms(data) == pytest.approx(100 * 1152 / 44.1)


def test_an_mp3_xing_header_gives_the_frames_and_the_lame_tag_the_gap():
    xing = b"Xing" + struct.pack(">II", 1, 1000) + b"LAME3.100" + bytes(12) + b"\x24\x02\xd1"
    data = mp3_frame(bytes(32) + xing) + mp3_frame() * 3
    assert audio_length_ms(data) == pytest.approx((1000 * 1152 - 576 - 721) / 44.1)


def test_an_mp3_vbri_header_gives_the_frames():
    vbri = b"VBRI" + struct.pack(">HHHII", 1, 0, 75, 0, 250)
    data = mp3_frame(bytes(32) + vbri) + mp3_frame()
    assert audio_length_ms(data) == pytest.approx(250 * 1152 / 44.1)


def test_an_mp3_written_by_libsndfile_matches_its_reported_length():
    data = soundfile_bytes(3.0, 44100, "MP3", "MPEG_LAYER_III")
    assert audio_length_ms(data) == pytest.approx(soundfile_ms(data), abs=30)


@pytest.mark.parametrize("path", CORPUS_AUDIO, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_corpus_audio_lengths_match_soundfile(path: Path):
    assert audio_length_ms(path.read_bytes()) == pytest.approx(
        soundfile.info(str(path)).duration * 1000, abs=0.5)


@pytest.mark.parametrize("data", [b"", b"OggS", b"RIFF\0\0\0\0WAVE", b"not audio at all" * 9,
                                  b"OggS" + bytes(40), b"RIFF\x04\0\0\0WAVEdata\x10\0\0\0"])
def test_unreadable_audio_is_a_named_error(data):
    with pytest.raises(AudioReadError):
        audio_length_ms(data)


def test_random_bytes_never_raise_anything_but_the_named_error():
    rng = random.Random(7)
    prefixes = (b"", b"OggS\0", b"RIFF\0\0\0\0WAVEfmt ", b"ID3", b"\xff\xfb")
    for _ in range(500):
        data = rng.choice(prefixes) + rng.randbytes(rng.randrange(0, 300))
        with contextlib.suppress(AudioReadError):
            audio_length_ms(data)


def test_a_scan_takes_the_longest_stem_as_song_length_when_the_ini_has_none():
    scan = scan_song({"song.ini": INI, "song.wav": wav_bytes(1.5),
                      "guitar.wav": wav_bytes(2.0), "preview.wav": wav_bytes(9.0)}).as_dict()
    assert scan["audioLength"] == 2000
    assert scan["song_length"] == 2000


def test_a_scan_keeps_the_ini_song_length_and_still_reports_the_audio():
    scan = scan_song({"song.ini": INI + b"song_length = 1234\n",
                      "song.wav": wav_bytes(1.5)}).as_dict()
    assert (scan["song_length"], scan["audioLength"]) == (1234, 1500)


def test_unreadable_audio_is_a_bad_audio_issue_not_an_exception():
    scan = scan_song({"song.ini": INI, "song.ogg": b"OggS broken",
                      "guitar.wav": wav_bytes(1.0)}).as_dict()
    bad = [i for i in scan["folderIssues"] if i["folderIssue"] == "badAudio"]
    assert len(bad) == 1 and '"song.ogg"' in bad[0]["description"]
    assert scan["audioLength"] == 1000


def test_a_folder_without_audio_has_no_audio_length():
    scan = scan_song({"song.ini": INI + b"song_length = 5000\n"}).as_dict()
    assert (scan["audioLength"], scan["song_length"]) == (None, 5000)
