"""The tempo map from audio: beats tracked with a local tempo, straightened into constant-tempo
stretches (so one tempo event stands for each change), and the time signature from accents."""

from __future__ import annotations

from collections.abc import Callable
from itertools import pairwise

import numpy as np

from . import tempo_level, tempo_refine, tempo_sections

FIT_TOLERANCE = 0.025  # seconds a tracked beat may stray from its stretch's straight line
MIN_STRETCH = 4        # beats; shorter stretches keep their tracked beats as they are
TEMPO_WINDOW = 384     # envelope frames (4.5 s) each local tempo is measured over
TEMPO_STEP = 0.5       # seconds between local tempo measurements
MAX_BPM = 320.0
JUMP_COST = 2.0        # tempogram strength given up per octave of tempo change


def track_beats(envelope: np.ndarray, onsets: np.ndarray, rate: int, hop: int) -> np.ndarray:
    """Beat times in seconds, following tempo changes rather than one global tempo, counted in
    each section of the song at the tempo level (half, double, ...) under which the `onsets` sit
    best on the grid, changing level between sections only when the notes ask for it; then
    tracked again, held to the heard tempo at that level."""
    import librosa

    steady, heard = local_tempo(envelope, rate, hop)

    def tracked(ratio: float) -> np.ndarray:
        _, beats = librosa.beat.beat_track(onset_envelope=envelope, sr=rate, hop_length=hop,
                                           bpm=steady * ratio, units="time", trim=False)
        return np.asarray(beats, dtype=float)

    chosen = beats_by_section(steady, hop / rate, tracked, onsets)
    return refined(chosen, steady, heard, hop / rate,
                   lambda bpm: held_beats(envelope, bpm, rate, hop), onsets)


def held_beats(envelope: np.ndarray, bpm: np.ndarray, rate: int, hop: int) -> np.ndarray:
    """Beat times tracked on the envelope held closely to `bpm` (one per envelope frame),
    placed to a quarter of a frame."""
    import librosa

    fine = np.arange(len(envelope) * tempo_refine.UPSAMPLE) / tempo_refine.UPSAMPLE
    frames = np.arange(len(envelope))
    _, beats = librosa.beat.beat_track(
        onset_envelope=np.interp(fine, frames, envelope), bpm=np.interp(fine, frames, bpm),
        sr=rate, hop_length=hop // tempo_refine.UPSAMPLE, units="time", trim=False,
        tightness=tempo_refine.TIGHTNESS)
    return np.asarray(beats, dtype=float)


def beats_by_section(steady: np.ndarray, frame: float, tracked: Callable[[float], np.ndarray],
                     onsets: np.ndarray) -> np.ndarray:
    """Beats for a local tempo `steady` (BPM every `frame` seconds): in each section, the beats
    `tracked` at the ratio of that tempo (and their halves and doubling) that score best."""
    edges = _section_edges(steady, frame)
    heard = [float(np.median(steady[int(a / frame):int(b / frame) + 1]))
             for a, b in pairwise(edges)]
    beats = {ratio: tracked(ratio) for ratio in tempo_level.RATIOS
             if any(_in_range(tempo * ratio) for tempo in heard)}
    options = []
    for (start, end), tempo in zip(pairwise(edges), heard, strict=True):
        # gaps regularised within the section only: across its edge, a level the tracker left
        # would be carried on as if the new one had skipped or doubled beats
        candidates = [straighten(_regular_gaps(times[(times >= start) & (times < end)]))
                      for ratio, times in beats.items() if _in_range(tempo * ratio)]
        inside = (onsets >= start) & (onsets < end)
        options.append(tempo_level.options(candidates, onsets[inside],
                                           inside.sum() / max(len(onsets), 1)))
    return tempo_sections.choose(options, heard)


def refined(chosen: np.ndarray, steady: np.ndarray, heard: np.ndarray, frame: float,
            held: Callable[[np.ndarray], np.ndarray], onsets: np.ndarray) -> np.ndarray:
    """In each section (as beats_by_section cuts them), the `chosen` beats or the beats `held`
    to the `heard` tempo at their level, whichever the `onsets` fit better."""
    spans = [(a, b) for a, b in pairwise(_section_edges(steady, frame))
             if ((chosen >= a) & (chosen < b)).sum() >= 2]
    times = held(tempo_refine.target_tempo(chosen, heard, frame))
    loose = [chosen[(chosen >= a) & (chosen < b)] for a, b in spans]
    tight = [straighten(_regular_gaps(times[(times >= a) & (times < b)])) for a, b in spans]
    return tempo_sections.join(tempo_refine.better_fit(spans, loose, tight, onsets))


def _section_edges(steady: np.ndarray, frame: float) -> list[float]:
    """Where the sections of a local tempo `steady` (BPM every `frame` seconds) start, and its
    end, read at the tempo's own measuring step."""
    step = max(1, round(TEMPO_STEP / frame))
    return tempo_sections.bounds(steady[::step], step * frame, len(steady) * frame)


def _in_range(bpm: float) -> bool:
    return tempo_level.MIN_BPM <= bpm <= tempo_level.MAX_BPM


def local_tempo(envelope: np.ndarray, rate: int, hop: int) -> tuple[np.ndarray, np.ndarray]:
    """The tempo (BPM) at every envelope frame: the steadiest path through autocorrelations
    taken every half second (not every frame: a full-length tempogram of a long song takes
    hundreds of megabytes), in whole-frame lags and refined between them."""
    import librosa
    import scipy.signal

    step = max(1, round(TEMPO_STEP * rate / hop))
    padded = np.pad(envelope, TEMPO_WINDOW // 2, mode="linear_ramp", end_values=0)
    frames = librosa.util.frame(padded, frame_length=TEMPO_WINDOW, hop_length=step)
    window = scipy.signal.get_window("hann", TEMPO_WINDOW, fftbins=True).astype(np.float32)
    tempogram = librosa.util.normalize(librosa.autocorrelate(frames * window[:, None], axis=0),
                                       norm=np.inf, axis=0)
    lags = np.arange(max(1, round(60 * rate / hop / MAX_BPM)), round(60 * rate / hop / 40) + 1)
    bpms = 60 * rate / hop / lags
    rows = _steadiest(tempogram[lags], bpms)
    fine = 60 * rate / hop / _peak_lags(tempogram, lags, rows)
    measured, frames = np.arange(len(rows)) * step, np.arange(len(envelope))
    return np.interp(frames, measured, bpms[rows]), np.interp(frames, measured, fine)


def _peak_lags(tempogram: np.ndarray, lags: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The lag of each column's peak at `rows`, between whole frames by the parabola through it
    and its neighbours (a whole-frame lag is up to 3 % off the tempo at 165 BPM)."""
    columns = np.arange(tempogram.shape[1])
    inner = np.clip(rows, 1, len(lags) - 2)
    before, at, after = (tempogram[lags[inner + d], columns] for d in (-1, 0, 1))
    bend = before - 2 * at + after
    shift = 0.5 * (before - after) / np.where(bend < 0, bend, -1.0)
    return lags[rows] + np.where((bend < 0) & (rows == inner), np.clip(shift, -0.5, 0.5), 0.0)


def _steadiest(tempogram: np.ndarray, bpms: np.ndarray) -> np.ndarray:
    """Row per column maximising the summed tempogram less JUMP_COST per octave of change
    (Viterbi): the tempo follows the music's changes but never flips to half or double."""
    jump = JUMP_COST * np.abs(np.log2(bpms[:, None] / bpms[None, :]))
    total = tempogram[:, 0].astype(np.float64)
    back = np.zeros(tempogram.shape, dtype=np.int32)
    rows = np.arange(len(bpms))
    for column in range(1, tempogram.shape[1]):
        options = total[None, :] - jump
        back[:, column] = np.argmax(options, axis=1)
        total = options[rows, back[:, column]] + tempogram[:, column]
    path = [int(np.argmax(total))]
    for column in range(tempogram.shape[1] - 1, 0, -1):
        path.append(int(back[path[-1], column]))
    return np.asarray(path[::-1])


def _regular_gaps(beats: np.ndarray) -> np.ndarray:
    """Fill a skipped beat (a gap twice the usual) and drop a doubled one (half the usual)."""
    if len(beats) < 4:
        return beats
    fixed = [beats[0]]
    for time in beats[1:]:
        usual = np.median(np.diff(fixed[-8:])) if len(fixed) > 2 else time - fixed[-1]
        gap = time - fixed[-1]
        if gap < 0.6 * usual:
            continue
        if 1.7 * usual < gap < 2.3 * usual:
            fixed.append(fixed[-1] + gap / 2)
        fixed.append(time)
    gaps = np.diff(fixed)
    if len(gaps) > 8 and abs(gaps[-1] / np.median(gaps[-9:-1]) - 1) > 0.1:
        fixed.pop()  # the tracker's last beat is often cut short by the end of the audio
    return np.asarray(fixed)


def straighten(beats: np.ndarray) -> np.ndarray:
    """Beats refitted as stretches of constant tempo, each a least-squares line."""
    result, start = [], 0
    while start < len(beats):
        end = _stretch_end(beats, start)
        index = np.arange(start, end)
        if end - start >= MIN_STRETCH:
            slope, intercept = np.polyfit(index, beats[start:end], 1)
            result.extend(intercept + slope * index)
        else:
            result.extend(beats[start:end])
        start = end
    return np.asarray(result)


def _stretch_end(beats: np.ndarray, start: int) -> int:
    """One past the last beat that still lies on a straight line from `start`."""
    end = min(start + MIN_STRETCH, len(beats))
    while end < len(beats):
        index = np.arange(start, end + 1)
        slope, intercept = np.polyfit(index, beats[start:end + 1], 1)
        if np.abs(intercept + slope * index - beats[start:end + 1]).max() > FIT_TOLERANCE:
            break
        end += 1
    return end


def time_signature(strengths: np.ndarray) -> tuple[int, int]:
    """(beats per measure, index of the first downbeat) from the accents on each beat."""
    best = (4, 0, -np.inf)
    for per_measure in (4, 3):
        for phase in range(per_measure):
            accented = strengths[phase::per_measure]
            if len(accented) < 2:
                continue
            score = accented.mean() - strengths.mean()
            if per_measure == 3:
                score -= 0.1 * strengths.std()  # most songs are in 4: 3 must win clearly
            if score > best[2]:
                best = (per_measure, phase, score)
    return best[0], best[1]
