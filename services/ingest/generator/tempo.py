"""The tempo map from audio: beats tracked with a local tempo, straightened into constant-tempo
stretches (so one tempo event stands for each change), and the time signature from accents."""

from __future__ import annotations

import numpy as np

FIT_TOLERANCE = 0.025  # seconds a tracked beat may stray from its stretch's straight line
MIN_STRETCH = 4        # beats; shorter stretches keep their tracked beats as they are


def track_beats(envelope: np.ndarray, rate: int, hop: int) -> np.ndarray:
    """Beat times in seconds, following tempo changes rather than one global tempo."""
    import librosa
    import scipy.ndimage

    local = librosa.feature.tempo(onset_envelope=envelope, sr=rate, hop_length=hop,
                                  aggregate=None, std_bpm=1.0)
    steady = scipy.ndimage.median_filter(local, size=max(3, int(6 * rate / hop)), mode="nearest")
    _, beats = librosa.beat.beat_track(onset_envelope=envelope, sr=rate, hop_length=hop,
                                       bpm=steady, units="time", trim=False)
    return _regular_gaps(np.asarray(beats, dtype=float))


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
