"""The chart generator on a synthetic track: a tone per beat, 100 then 140 BPM, with a melody
that rises and falls; and the reasons it gives for audio it cannot use."""

from __future__ import annotations

import asyncio
import io
import uuid
from itertools import pairwise

import librosa  # noqa: F401  (the generator extra; make test installs it)
import numpy as np
import pytest
import soundfile

from services.ingest.consumers import generate
from services.ingest.generator.errors import GenerationError
from services.ingest.generator.folder import generate_folder
from shared.events import SongGenerationRequested, UploadReceived
from shared.messaging import PermanentError
from shared.songs.chart import parse_chart
from shared.songs.ini import DEFAULT_METADATA
from shared.songs.scan import scan_song
from shared.songs.tracks import parse_tracks
from shared.storage import InMemoryObjectStore

RATE = 22050
MELODY = (55, 57, 59, 60, 62, 64, 65, 67, 65, 64, 62, 60, 59, 57)
FORBIDDEN = {"brokenNote", "noNotes", "difficultyNotReduced", "badSustainGap", "babySustain"}


def plucked(midi: int, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    wave = sum(np.sin(2 * np.pi * 440 * 2 ** ((midi - 69) / 12) * k * t) / k for k in (1, 2, 3))
    fade = np.minimum(1, (seconds - t) / 0.05)
    return (wave * np.exp(-3 * t) * np.minimum(1, t / 0.003) * fade).astype(np.float32)


def click() -> np.ndarray:
    n = int(0.03 * RATE)
    noise = np.random.default_rng(1).standard_normal(n)
    return (noise * np.exp(-np.arange(n) / (0.005 * RATE))).astype(np.float32)


def synthetic_track() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(samples, true onset times, true pitches): 24 beats at 100 BPM, then 32 at 140 BPM."""
    onsets, pitches, time = [], [], 1.0
    for bpm, beats in ((100, 24), (140, 32)):
        for _ in range(beats):
            onsets.append(time)
            pitches.append(MELODY[len(pitches) % len(MELODY)])
            time += 60 / bpm
    samples = np.zeros(int((time + 2) * RATE), dtype=np.float32)
    for onset, pitch in zip(onsets, pitches, strict=True):
        start = int(onset * RATE)
        for sound, gain in ((plucked(pitch, 0.6), 0.3), (click(), 0.2)):
            end = min(len(samples), start + len(sound))
            samples[start:end] += gain * sound[: end - start]
    return samples, np.array(onsets), np.array(pitches)


def wav(samples: np.ndarray) -> bytes:
    out = io.BytesIO()
    soundfile.write(out, samples, RATE, format="WAV")
    return out.getvalue()


@pytest.fixture(scope="module")
def track():
    return synthetic_track()


@pytest.fixture(scope="module")
def song(track) -> dict[str, bytes]:
    return generate_folder(wav(track[0]), "synthetic.wav", {"name": "Sweep", "artist": "Test"})


@pytest.fixture(scope="module")
def parsed(song):
    return parse_tracks(parse_chart(song["notes.chart"]), "chart", DEFAULT_METADATA)


def expert_guitar(parsed):
    return next(t for t in parsed.tracks if (t.instrument, t.difficulty) == ("guitar", "expert"))


def f_measure(found: np.ndarray, truth: np.ndarray, window: float = 0.05) -> float:
    unused, hits = list(found), 0
    for time in truth:
        near = [f for f in unused if abs(f - time) <= window]
        if near:
            unused.remove(min(near, key=lambda f: abs(f - time)))
            hits += 1
    precision, recall = hits / max(len(found), 1), hits / len(truth)
    return 0.0 if hits == 0 else 2 * precision * recall / (precision + recall)


def beat_seconds_at(parsed, seconds: float) -> float:
    tempo = [t for t in parsed.tempos if t.ms_time <= seconds * 1000][-1]
    return 60 / tempo.bpm


def test_the_tempo_map_follows_the_change_from_100_to_140_bpm(parsed):
    assert beat_seconds_at(parsed, 8.0) == pytest.approx(0.6, rel=0.01)
    assert beat_seconds_at(parsed, 25.0) == pytest.approx(60 / 140, rel=0.01)
    assert len(parsed.tempos) < 10  # one event per change, not one per beat


def test_expert_notes_land_on_the_true_onsets(parsed, track):
    times = np.array(expert_guitar(parsed).times) / 1000
    assert f_measure(times, track[1]) >= 0.8


def test_frets_rise_and_fall_with_the_pitch(parsed, track):
    guitar = expert_guitar(parsed)
    pairs = []
    for time, group in zip(np.array(guitar.times) / 1000, guitar.groups, strict=True):
        nearest = int(np.argmin(np.abs(track[1] - time)))
        pairs.append((track[2][nearest], min(note[2] for note in group)))
    pitches, frets = np.array(pairs).T
    assert np.corrcoef(pitches, frets)[0, 1] >= 0.8
    steps = [(np.sign(b[0] - a[0]), np.sign(b[1] - a[1])) for a, b in pairwise(pairs)
             if b[0] != a[0]]
    against = sum(p == -f for p, f in steps)  # five frets cannot follow every step, but
    assert against / len(steps) <= 0.05       # they never step against the melody


def test_the_generated_song_scans_without_chart_issues(song):
    scan = scan_song(song).as_dict()
    issues = {issue["noteIssue"] for issue in scan["notesData"]["chartIssues"]}
    assert not issues & FORBIDDEN
    assert scan["playable"]
    counts = {(c["instrument"], c["difficulty"]): c["count"]
              for c in scan["notesData"]["noteCounts"]}
    for instrument in ("guitar", "drums"):
        per_difficulty = [counts[(instrument, d)] for d in ("expert", "hard", "medium", "easy")]
        assert per_difficulty == sorted(per_difficulty, reverse=True)
        assert per_difficulty[-1] < per_difficulty[0]


def test_the_song_is_labelled_as_auto_generated(song):
    ini = song["song.ini"].decode()
    assert "charter = Clone Hero Hub generator (auto-generated)" in ini
    assert "name = Sweep" in ini and "song_length = " in ini and "diff_guitar = " in ini
    assert "song.ogg" in song


def test_lower_difficulties_use_fewer_frets_and_chords(parsed):
    def lanes(difficulty: str) -> set[int]:
        track = next(t for t in parsed.tracks
                     if (t.instrument, t.difficulty) == ("guitar", difficulty))
        return {note[2] for group in track.groups for note in group}

    assert len(lanes("easy")) <= 3 < len(lanes("expert"))


@pytest.mark.parametrize(("data", "filename", "reason"), [
    (b"this is not audio at all", "song.mp3", "could not be read as audio"),
    (b"RIFF", "notes.txt", "not a supported audio file"),
    (wav(np.zeros(RATE * 12, dtype=np.float32)), "silence.wav", "silent"),
    (wav(synthetic_track()[0][: RATE * 3]), "clip.wav", "only 3.0 s long"),
])
def test_unusable_audio_is_refused_with_a_reason(data, filename, reason):
    with pytest.raises(GenerationError, match=reason):
        generate_folder(data, filename, {})


def test_audio_over_the_duration_limit_is_refused(track):
    with pytest.raises(GenerationError, match="more than the"):
        generate_folder(wav(track[0]), "long.wav", {}, max_seconds=20.0)


def request_for(store: InMemoryObjectStore, data: bytes, filename: str):
    store.ensure_bucket("uploads")
    store.put_bytes("uploads", f"generate/{filename}", data)
    upload_id = uuid.uuid4()
    return SongGenerationRequested(event_id=uuid.uuid4(), upload_id=upload_id, bucket="uploads",
                                   key=f"generate/{filename}", filename=filename, name="Sweep")


def test_the_consumer_uploads_the_song_as_a_zip_and_announces_it(track):
    store = InMemoryObjectStore()
    request = request_for(store, wav(track[0]), "sweep.wav")
    (received,) = asyncio.run(generate.make_handler(store, 1200.0)(request))
    assert isinstance(received, UploadReceived)
    assert received.source == "generator" and received.upload_id == request.upload_id
    assert received.origin.key.startswith(f"generated/{request.upload_id}/")
    assert store.get_bytes("uploads", received.origin.key)[:2] == b"PK"


def test_the_consumer_refuses_bad_audio_and_uploads_nothing():
    store = InMemoryObjectStore()
    request = request_for(store, b"not audio", "bad.ogg")
    with pytest.raises(PermanentError, match="could not be read"):
        asyncio.run(generate.make_handler(store, 1200.0)(request))
    assert not list(store.list("uploads", "generated/"))
    (failure,) = generate.failed(request, "why")
    assert failure.stage == "generate" and failure.reason == "why"
