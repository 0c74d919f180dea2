"""Generator bench: audio rendered from real charts, charted again, compared with the original.

    python bench/generator.py [--songs N] [--seconds S] [--only NAME ...] [--no-real] [--no-speed]

Each corpus chart with a lead guitar part is rendered: a pitched tone per note at its true time
through the chart's tempo map (pitch rises with the fret, some notes soft, sustains ringing
over the next notes) and drums from synthesized kick, snare and cymbal samples. The generated
Expert guitar is compared with the real one: onset F-measure within ±50 ms (mir_eval), tempo
error (median absolute difference of beat durations against the chart's tempo map, in %), the
share of the charted span whose beat is off by more than 3 % (a wrong tempo level in part of
the song, which the median hides), the tempo error against whichever metrical level is nearest
(the chart's beat doubled, halved, tripled, ...: how well the beats follow the music where the
level the charter counted in is not the one heard; no target) and fret movement agreement
(consecutive notes whose pitch moves: does the generated fret move the same way?). Each
generated song is scanned for the chart issues that make a chart unplayable (brokenNote,
noNotes, ...). Then a four-minute song is generated in a child process to measure time and
peak memory. Targets: F ≥ 0.9, tempo error < 1 %, no unplayable chart issues, < 60 s and
< 1 GB for four minutes.

The same figures, with no target, come for the corpus folders with real audio: every stem
that is the song (not a preview or crowd excerpt, not a silent stand-in) mixed as the game
plays it, charted, and compared with the folder's own chart (its lead part, Expert) moved by
the song's delay. A `_forceddelay` audio file goes with the `_forceddelay` chart and ini made
for it. A preview excerpt alone cannot be compared: where it sits in the song is unknown.
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import soundfile

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from services.ingest.generator.errors import GenerationError  # noqa: E402
from services.ingest.generator.folder import generate_folder  # noqa: E402
from shared.songs.chart import parse_chart  # noqa: E402
from shared.songs.ini import DEFAULT_METADATA, parse_ini, read_metadata  # noqa: E402
from shared.songs.midi import parse_midi  # noqa: E402
from shared.songs.scan import scan_song  # noqa: E402
from shared.songs.tracks import parse_tracks  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "charts"
RATE = 22050
OFF_BEAT = 0.03     # a beat this much too long or short is at another tempo level or lost
UNPLAYABLE = {"brokenNote", "noNotes", "difficultyNotReduced", "badSustainGap", "babySustain"}
LEVELS = (1, 2, 1 / 2, 3, 1 / 3, 3 / 2, 2 / 3)   # beat lengths of the same music, counted otherwise
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
    return {"f": f_score, **_tempo_errors(chart, made, truth), "issues": _chart_issues(files),
            "frets": _fret_agreement(guitar, made_guitar, span)}


def _chart_issues(files: dict[str, bytes]) -> str:
    """The generated song's chart issues that make it unplayable (our own scanner), or "none"."""
    scan = scan_song(files).as_dict()
    found = {issue["noteIssue"] for issue in scan["notesData"]["chartIssues"]} & UNPLAYABLE
    return ", ".join(sorted(found)) or "none"


def _loaded_text(text: bytes):
    chart = parse_tracks(parse_chart(text), "chart", DEFAULT_METADATA)
    tracks = {(t.instrument, t.difficulty): t for t in chart.tracks}
    return chart, tracks[("guitar", "expert")], None


def _beat_seconds(chart, ms: float) -> float:
    tempo = [t for t in chart.tempos if t.ms_time <= ms][-1]
    return 60 / tempo.bpm


def _tempo_errors(real, made, truth: np.ndarray, delay: float = 0.0) -> dict[str, float]:
    """Median |made - real| beat duration over the charted span (`truth`, seconds of audio), in %
    of the real beat, and the % of that span off by more than OFF_BEAT; the real chart's time
    is the audio's less its `delay` (seconds)."""
    times = np.arange(truth[0], truth[-1], 0.5) * 1000
    made_beats = np.array([_beat_seconds(made, ms) for ms in times])
    real_beats = np.array([_beat_seconds(real, ms - 1000 * delay) for ms in times])
    errors = np.abs(made_beats - real_beats) / real_beats
    any_level = np.min([np.abs(made_beats - f * real_beats) / (f * real_beats) for f in LEVELS],
                       axis=0)
    return {"tempo": 100 * float(np.median(errors)), "off": 100 * float(np.mean(errors > OFF_BEAT)),
            "level": 100 * float(np.median(any_level))}


def _fret_agreement(real, made, span: float, delay: float = 0.0,
                    start: float = 0.0) -> float:
    """Among consecutive matched notes whose real fret moves, how often the made one moves the
    same way (notes heard from `start` to `span` - 1 seconds of audio)."""
    made_times = np.array(made.times)
    matched = []
    for chart_ms, group in zip(real.times, real.groups, strict=True):
        ms = chart_ms + 1000 * delay
        if not start <= ms / 1000 < span - 1 or not len(made_times):
            continue
        i = int(np.argmin(np.abs(made_times - ms)))
        if abs(made_times[i] - ms) <= 50:
            matched.append((max(n[2] for n in group), max(n[2] for n in made.groups[i])))
    steps = [(np.sign(b[0] - a[0]), np.sign(b[1] - a[1]))
             for a, b in pairwise(matched) if b[0] != a[0]]
    return sum(r == m for r, m in steps) / max(len(steps), 1)


AUDIO_SUFFIXES = (".ogg", ".opus", ".mp3", ".wav", ".flac")
EXCERPTS = ("preview", "crowd")
FORCED_DELAY = "_forceddelay"
SILENT_PEAK = 1e-3          # a stand-in file of digital silence peaks below this
LEAD_PARTS = ("guitar", "bass", "keys", "rhythm")


@dataclass(frozen=True)
class RealSong:
    folder: Path
    audio: tuple[Path, ...]   # the song's stems, mixed as the game plays them
    chart: Path
    ini: Path | None


def real_audio_songs(corpus: Path) -> tuple[list[RealSong], list[str]]:
    """Corpus folders whose audio is the song, each with the chart made for that audio; and
    why each other folder with audio was left out."""
    songs, left_out = [], []
    folders = sorted({p.parent for p in corpus.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES})
    for folder in folders:
        audio = sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO_SUFFIXES)
        whole = [p for p in audio if p.stem.lower().removesuffix(FORCED_DELAY) not in EXCERPTS]
        heard = [p for p in whole if _peak(p) >= SILENT_PEAK]
        if not whole:
            left_out.append(f"{folder.name}: a preview excerpt only (its place in the song "
                            "is unknown)")
        elif not heard:
            left_out.append(f"{folder.name}: {', '.join(p.name for p in whole)} is silent "
                            "(a stand-in)")
        else:
            forced = FORCED_DELAY if any(p.stem.endswith(FORCED_DELAY) for p in heard) else ""
            chart = next((folder / f"notes{forced}{ext}" for ext in (".mid", ".chart")
                          if (folder / f"notes{forced}{ext}").exists()), None)
            ini = next((p for p in (folder / f"song{forced}.ini", folder / "song.ini")
                        if p.exists()), None)
            if chart is None:
                left_out.append(f"{folder.name}: no chart")
            else:
                songs.append(RealSong(folder, tuple(heard), chart, ini))
    return songs, left_out


def _peak(path: Path) -> float:
    import librosa

    samples, _ = librosa.load(path, sr=RATE, mono=True)
    return float(np.abs(samples).max()) if len(samples) else 0.0


def _mixed(song: RealSong) -> tuple[bytes, str, float]:
    """The audio the generator gets (the file itself when there is one stem, else the stems
    mixed into a WAV), its name, and its length in seconds."""
    import librosa

    stems = [librosa.load(path, sr=RATE, mono=True)[0] for path in song.audio]
    length = max(len(stem) for stem in stems)
    if len(stems) == 1:
        return song.audio[0].read_bytes(), song.audio[0].name, length / RATE
    mix = sum(np.pad(stem, (0, length - len(stem))) for stem in stems)
    return wav((mix / max(1.0, np.abs(mix).max() * 1.05)).astype(np.float32)), "mix.wav", \
        length / RATE


def _real_chart(song: RealSong):
    """(parsed chart, its delay in seconds): song.ini's delay, else the .chart's Offset."""
    modifiers, delay_ms = DEFAULT_METADATA, 0.0
    if song.ini is not None and (section := parse_ini(song.ini.read_bytes()).song) is not None:
        modifiers = read_metadata(section).values
        delay_ms = float(modifiers.get("delay") or 0)
    data = song.chart.read_bytes()
    fmt = song.chart.suffix.lower().lstrip(".")
    raw = parse_midi(data, modifiers) if fmt == "mid" else parse_chart(data)
    chart = parse_tracks(raw, fmt, modifiers)
    return chart, (delay_ms or float(chart.metadata.get("delay") or 0)) / 1000


def compare_real(song: RealSong) -> dict[str, float | str] | None:
    """Generated Expert guitar against the chart's lead part, over the span that part plays."""
    import mir_eval

    chart, delay = _real_chart(song)
    tracks = {(t.instrument, t.difficulty): t for t in chart.tracks}
    part = next((name for name in LEAD_PARTS if tracks.get((name, "expert"))), None)
    if part is None:
        print(f"{song.folder.name[:40]:<40} skipped: no guitar, bass, keys or rhythm part")
        return None
    real = tracks[(part, "expert")]
    data, name, seconds = _mixed(song)
    try:
        files = generate_folder(data, name, {})
    except GenerationError as error:
        print(f"{song.folder.name[:40]:<40} skipped: {error.reason}")
        return None
    made, made_guitar, _ = _loaded_text(files["notes.chart"])
    truth = np.array([t for t in (ms / 1000 + delay for ms in real.times) if 0 <= t < seconds - 1])
    start, end = truth[0] - 1, truth[-1] + 1
    found = np.array([t for t in (ms / 1000 for ms in made_guitar.times) if start <= t < end])
    f_score = mir_eval.onset.f_measure(truth, found, window=0.05)[0]
    return {"f": f_score, **_tempo_errors(chart, made, truth, delay),
            "issues": _chart_issues(files),
            "frets": _fret_agreement(real, made_guitar, end + 1, delay, start),
            "part": part, "audio": " + ".join(p.name for p in song.audio),
            "bpm": _median_bpm(chart, truth - delay), "made_bpm": _median_bpm(made, truth)}


def _median_bpm(chart, seconds: np.ndarray) -> float:
    return float(np.median([60 / _beat_seconds(chart, 1000 * t) for t in seconds]))


def real_audio_figures(corpus: Path, only: list[str]) -> None:
    songs, left_out = real_audio_songs(corpus)
    songs = [song for song in songs if _chosen(song.folder, only)]
    print(f"\nreal audio: {len(songs)} corpus folders hold a song's audio (no target)")
    results = []
    for song in songs:
        scores = compare_real(song)
        if scores:
            results.append(scores)
            print(f"{song.folder.name[:40]:<40} F {scores['f']:.3f}  tempo error "
                  f"{scores['tempo']:.2f} % (off {scores['off']:.0f} %, "
                  f"any level {scores['level']:.2f} %)  fret agreement "
                  f"{scores['frets']:.2f}  issues {scores['issues']}  "
                  f"({scores['audio']} vs Expert {scores['part']}; "
                  f"{scores['bpm']:.0f} BPM charted, {scores['made_bpm']:.0f} generated)")
    summarise(results)
    for reason in left_out:
        print(f"  left out: {reason}")


def _chosen(folder: Path, only: list[str]) -> bool:
    return not only or any(name.lower() in folder.name.lower() for name in only)


def summarise(results: list[dict]) -> None:
    if not results:
        return
    for key, label in (("f", "onset F-measure"), ("tempo", "tempo error %"),
                       ("off", "tempo off > 3 %"), ("level", "at any level %"),
                       ("frets", "fret agreement")):
        values = [r[key] for r in results]
        print(f"{label:>16}: median {np.median(values):.3f}, mean {np.mean(values):.3f}")
    flawed = sum(r["issues"] != "none" for r in results)
    print(f"{'chart issues':>16}: {flawed} of {len(results)} generated songs")


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
    parser.add_argument("--no-real", action="store_true",
                        help="skip the corpus folders with real audio")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="only the folders whose name holds NAME (repeatable)")
    args = parser.parse_args()
    results = []
    for path in sorted(CORPUS.rglob("notes.chart")):
        if len(results) >= args.songs:
            break
        if not _chosen(path.parent, args.only):
            continue
        scores = compare(path, args.seconds)
        if scores:
            results.append(scores)
            print(f"{path.parent.name[:40]:<40} F {scores['f']:.3f}  tempo error "
                  f"{scores['tempo']:.2f} % (off {scores['off']:.0f} %, "
                  f"any level {scores['level']:.2f} %)  fret agreement "
                  f"{scores['frets']:.2f}  issues {scores['issues']}")
    summarise(results)
    if not args.no_real:
        real_audio_figures(CORPUS, args.only)
    if not args.no_speed:
        longest = max(CORPUS.rglob("notes.chart"), key=lambda p: p.stat().st_size)
        seconds, megabytes = speed(longest)
        print(f"four minutes of audio: {seconds:.1f} s, peak memory {megabytes:.0f} MB")


if __name__ == "__main__":
    main()
