"""Generator bench: audio rendered from real charts, charted again, compared with the original.

    python bench/generator.py [--songs N] [--seconds S] [--no-speed]

Each corpus chart with a lead guitar part is rendered: a pitched tone per note at its true time
through the chart's tempo map (pitch rises with the fret, some notes soft, sustains ringing
over the next notes) and drums from synthesized kick, snare and cymbal samples. The generated
Expert guitar is compared with the real one: onset F-measure within ±50 ms (mir_eval), tempo
error (median absolute difference of beat durations against the chart's tempo map, in %) and
fret movement agreement (consecutive notes whose pitch moves: does the generated fret move the
same way?). Then a four-minute song is generated in a child process to measure time and peak
memory. Targets: F ≥ 0.9, tempo error < 1 %, < 60 s and < 1 GB for four minutes.
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import time
from itertools import pairwise
from pathlib import Path

import numpy as np
import soundfile

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from services.ingest.generator.errors import GenerationError  # noqa: E402
from services.ingest.generator.folder import generate_folder  # noqa: E402
from shared.songs.chart import parse_chart  # noqa: E402
from shared.songs.ini import DEFAULT_METADATA  # noqa: E402
from shared.songs.tracks import parse_tracks  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "charts"
RATE = 22050
FRET_PITCH = {1: 52, 2: 55, 3: 59, 4: 62, 5: 66, 0: 48}   # lane → MIDI: higher fret, higher note


def load(path: Path, instrument: str = "guitar"):
    chart = parse_tracks(parse_chart(path.read_bytes()), "chart", DEFAULT_METADATA)
    tracks = {(t.instrument, t.difficulty): t for t in chart.tracks}
    return chart, tracks.get((instrument, "expert")), tracks.get(("drums", "expert"))


def _tone(midi: int, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    freq = 440 * 2 ** ((midi - 69) / 12)
    wave = sum(np.sin(2 * np.pi * freq * k * t) / k ** 1.5 for k in range(1, 6))
    fade = np.minimum(1, (seconds - t) / 0.04)
    return wave * np.exp(-2.0 * t) * np.minimum(1, t / 0.004) * fade


def _drum(kind: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(int(0.25 * RATE)) / RATE
    noise = rng.standard_normal(len(t))
    if kind == 12:    # kick: a falling sine thump
        return np.sin(2 * np.pi * (50 + 100 * np.exp(-t * 30)) * t) * np.exp(-t * 18)
    if kind == 13:    # snare: tone and noise
        return (0.5 * np.sin(2 * np.pi * 190 * t) + noise) * np.exp(-t * 25) * 0.6
    bright = np.diff(noise, prepend=0.0)  # cymbals: bright noise
    return bright * np.exp(-t * 12) * 0.25


def render(guitar, drums, clock, seconds: float, seed: int = 7) -> np.ndarray:
    rng = np.random.default_rng(seed)
    out = np.zeros(int((seconds + 1) * RATE))

    def add(sound: np.ndarray, at: float, gain: float) -> None:
        start = int(at * RATE)
        end = min(len(out), start + len(sound))
        if start < end:
            out[start:end] += gain * sound[: end - start]

    for time_ms, group in zip(guitar.times, guitar.groups, strict=True):
        if time_ms / 1000 > seconds:
            break
        gain = 0.12 if rng.random() < 0.25 else 0.3               # some notes soft
        ring = max(0.35, clock.ms_length(time_ms, group[0][0], group[0][1]) / 1000)
        for note in group:
            add(_tone(FRET_PITCH.get(note[2], 60), ring + 0.15), time_ms / 1000, gain)
    for time_ms, group in zip(drums.times if drums else [], drums.groups if drums else [],
                              strict=True):
        for note in group:
            add(_drum(note[2], rng), time_ms / 1000, 0.35)
    return (out[: int(seconds * RATE)] / max(1.0, np.abs(out).max() * 1.05)).astype(np.float32)


def wav(samples: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(buffer, samples, RATE, format="WAV")
    return buffer.getvalue()


def compare(path: Path, seconds: float) -> dict[str, float] | None:
    import mir_eval

    chart, guitar, drums = load(path)
    if guitar is None or len(guitar.times) < 40:
        return None
    span = min(seconds, guitar.times[-1] / 1000 + 2)
    try:
        files = generate_folder(wav(render(guitar, drums, chart.clock(), span)), "bench.wav", {})
    except GenerationError as error:
        print(f"{path.parent.name[:40]:<40} skipped: {error.reason}")
        return None
    made, made_guitar, _ = _loaded_text(files["notes.chart"])
    truth = np.array([t / 1000 for t in guitar.times if t / 1000 < span - 1])
    found = np.array([t / 1000 for t in made_guitar.times if t / 1000 < span - 1])
    f_score = mir_eval.onset.f_measure(truth, found, window=0.05)[0]
    return {"f": f_score, "tempo": _tempo_error(chart, made, truth),
            "frets": _fret_agreement(guitar, made_guitar, span)}


def _loaded_text(text: bytes):
    chart = parse_tracks(parse_chart(text), "chart", DEFAULT_METADATA)
    tracks = {(t.instrument, t.difficulty): t for t in chart.tracks}
    return chart, tracks[("guitar", "expert")], None


def _beat_seconds(chart, ms: float) -> float:
    tempo = [t for t in chart.tempos if t.ms_time <= ms][-1]
    return 60 / tempo.bpm


def _tempo_error(real, made, truth: np.ndarray) -> float:
    """Median |made - real| beat duration over the charted span, in % of the real beat."""
    times = np.arange(truth[0], truth[-1], 0.5) * 1000
    errors = [abs(_beat_seconds(made, ms) - _beat_seconds(real, ms)) / _beat_seconds(real, ms)
              for ms in times]
    return 100 * float(np.median(errors))


def _fret_agreement(real, made, span: float) -> float:
    """Among consecutive matched notes whose real fret moves, how often the made one moves the
    same way."""
    made_times = np.array(made.times)
    matched = []
    for ms, group in zip(real.times, real.groups, strict=True):
        if ms / 1000 >= span - 1 or not len(made_times):
            continue
        i = int(np.argmin(np.abs(made_times - ms)))
        if abs(made_times[i] - ms) <= 50:
            matched.append((max(n[2] for n in group), max(n[2] for n in made.groups[i])))
    steps = [(np.sign(b[0] - a[0]), np.sign(b[1] - a[1]))
             for a, b in pairwise(matched) if b[0] != a[0]]
    return sum(r == m for r, m in steps) / max(len(steps), 1)


def speed(path: Path, minutes: float = 4.0) -> tuple[float, float]:
    """Seconds and peak MB to generate `minutes` of audio rendered from `path`, in a child."""
    chart, guitar, drums = load(path)
    audio = Path("/tmp/chhub-bench-4min.wav")
    audio.write_bytes(wav(render(guitar, drums, chart.clock(), minutes * 60)))
    code = (f"import sys; sys.path.insert(0, {str(REPO)!r}); from pathlib import Path; "
            "from services.ingest.generator.folder import generate_folder; "
            f"generate_folder(Path({str(audio)!r}).read_bytes(), 'song.wav', {{}})")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    elapsed = time.perf_counter() - started
    return elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    results = []
    for path in sorted(CORPUS.rglob("notes.chart")):
        if len(results) >= args.songs:
            break
        scores = compare(path, args.seconds)
        if scores:
            results.append(scores)
            print(f"{path.parent.name[:40]:<40} F {scores['f']:.3f}  tempo error "
                  f"{scores['tempo']:.2f} %  fret agreement {scores['frets']:.2f}")
    for key, label in (("f", "onset F-measure"), ("tempo", "tempo error %"),
                       ("frets", "fret agreement")):
        values = [r[key] for r in results]
        print(f"{label:>16}: median {np.median(values):.3f}, mean {np.mean(values):.3f}")
    if not args.no_speed:
        longest = max(CORPUS.rglob("notes.chart"), key=lambda p: p.stat().st_size)
        seconds, megabytes = speed(longest)
        print(f"four minutes of audio: {seconds:.1f} s, peak memory {megabytes:.0f} MB")


if __name__ == "__main__":
    main()
