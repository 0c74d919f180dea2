"""Song sections from structural segmentation: measures grouped by timbre and harmony, each
part named by which earlier part it resembles."""

from __future__ import annotations

import numpy as np

SECONDS_PER_SECTION = 25.0
MAX_SECTIONS = 14


def segment(features: np.ndarray, measure_frames: np.ndarray, duration: float) -> list[int]:
    """Indexes of the measures where a new section starts (always including 0)."""
    import librosa

    count = len(measure_frames)
    wanted = int(np.clip(round(duration / SECONDS_PER_SECTION), 2, MAX_SECTIONS))
    if count < 2 * wanted:
        return list(range(0, count, max(1, count // wanted)))
    synced = librosa.util.sync(features, measure_frames, aggregate=np.median)
    bounds = librosa.segment.agglomerative(synced, wanted)
    return sorted({0, *(int(b) for b in bounds if b < count)})


def names(features: np.ndarray, starts: list[int], measure_frames: np.ndarray) -> list[str]:
    """A name per section: "Part A", "Part B", and "Part A 2" when a part comes back."""
    import librosa

    synced = librosa.util.sync(features, measure_frames, aggregate=np.median)
    ends = [*starts[1:], synced.shape[1]]
    profiles = [synced[:, s:max(e, s + 1)].mean(axis=1) for s, e in zip(starts, ends,
                                                                         strict=True)]
    letters: list[int] = []
    seen: dict[int, int] = {}
    result = []
    for i, profile in enumerate(profiles):
        match = _similar_earlier(profile, profiles[:i], letters)
        letter = match if match is not None else len(set(letters))
        letters.append(letter)
        seen[letter] = seen.get(letter, 0) + 1
        label = chr(ord("A") + letter % 26)
        result.append(f"Part {label}" + (f" {seen[letter]}" if seen[letter] > 1 else ""))
    return result


def _similar_earlier(profile, earlier, letters) -> int | None:
    best, best_score = None, 0.9  # cosine similarity a repeat must reach
    for other, letter in zip(earlier, letters, strict=True):
        score = float(np.dot(profile, other) /
                      (np.linalg.norm(profile) * np.linalg.norm(other) + 1e-9))
        if score > best_score:
            best, best_score = letter, score
    return best
