"""The search index's words (pure): which songs hold each word, and which library words a
typed word may stand for.

Postings are kept in flat arrays (every word's slots one after another, found by the word's
place among the sorted words); songs changed since the arrays were last built sit in a small
dictionary and are merged in once it has grown by a quarter. A typed word stands for library
words it is the start of, and for those within one edit of it (two for longer words), found
by a symmetric-delete table: each library word filed under itself and each of its one-letter
deletions, hashed into one sorted array, so a lookup costs a few binary searches; rapidfuzz
measures the edits of the few candidates found. A word is found among the sorted words by a
binary search in Python (`bisect`): numpy's own `searchsorted` reads a whole variable-width
string array per call.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

import numpy as np
from rapidfuzz.distance import OSA

from shared.search.columns import STRINGS, Column

SHORT_WORD = 3
"""Typed words shorter than this match library words equal to them or starting with them."""
LOOKALIKES_PER_WORD = 50
LONG_WORD = 6
"""Typed words this long or longer may be two edits away from the word meant."""
_LAST_CHARACTER = "\U0010ffff"


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: `np.unique` without loading `numpy.ma` (1.5 MB that
    nothing else here needs), which it consults on every call."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=np.bool_)
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _keys(word: str) -> np.ndarray:
    return np.fromiter((hash(key) for key in {word} | _deletions(word)), dtype=np.int64)


class WordPostings:
    """Word → slots, and typed word → lookalike library words with their similarity."""

    MERGE_AFTER = 50_000
    """Recent (word, slot) pairs held before they are merged into the flat arrays."""

    def __init__(self, merge_after: int = MERGE_AFTER) -> None:
        self._merge_after = merge_after
        self.words = np.zeros(0, dtype=STRINGS)
        """The merged words, sorted."""
        self._offsets = np.zeros(1, dtype=np.int64)
        self._slots = np.zeros(0, dtype=np.int32)
        self.merged = Column(np.bool_, False)
        """Per slot: are its merged postings still its words (not changed or removed since)?"""
        self._recent: dict[str, list[int]] = {}
        self._recent_count = 0
        self._delete_keys = np.zeros(0, dtype=np.int64)
        self._delete_words = np.zeros(0, dtype=np.int32)
        self._deletions_stale = False
        """Whether the words changed since the lookalike table was built."""

    def ensure(self, size: int) -> None:
        self.merged.ensure(size)

    def add(self, slot: int, words: Iterable[str]) -> None:
        for word in words:
            self._recent.setdefault(word, []).append(slot)
            self._recent_count += 1

    def drop(self, slot: int, words: Iterable[str]) -> None:
        """Forget `slot`'s `words` (those it was last added with)."""
        if self.merged.values[slot]:
            self.merged.values[slot] = False
            return
        for word in words:
            slots = self._recent.get(word)
            if slots is not None and slot in slots:
                slots.remove(slot)
                self._recent_count -= 1
                if not slots:
                    del self._recent[word]

    def merge_if_due(self, alive: np.ndarray, force: bool = False) -> None:
        """Merges the recent changes once they have piled up, or now with `force`; the
        lookalike table follows at once with `force`, else at the next lookup (a bulk load
        merges many times and looks nothing up before its last, forced, merge)."""
        if force or self._recent_count > max(self._merge_after, len(self._slots) // 4):
            self._merge(alive)
        if force:
            self._index_deletions()

    def _merge(self, alive: np.ndarray) -> None:
        merged = self.merged.view(len(alive))
        counts = np.diff(self._offsets)
        old_words = np.repeat(np.arange(len(self.words)), counts)
        keep = merged[self._slots]
        recent_words = np.array(list(self._recent), dtype=STRINGS)
        words = _distinct(np.concatenate([self.words, recent_words]))
        lengths = [len(slots) for slots in self._recent.values()]
        pair_words = np.concatenate([
            np.searchsorted(words, self.words)[old_words[keep]],
            np.repeat(np.searchsorted(words, recent_words), lengths)]).astype(np.int32)
        pair_slots = np.concatenate([
            self._slots[keep],
            np.fromiter((s for slots in self._recent.values() for s in slots), dtype=np.int32,
                        count=sum(lengths))])
        order = np.lexsort((pair_slots, pair_words))
        self._slots = pair_slots[order]
        self._offsets = np.zeros(len(words) + 1, dtype=np.int64)
        np.cumsum(np.bincount(pair_words, minlength=len(words)), out=self._offsets[1:])
        self.merged.values[:len(alive)] = alive
        self._recent, self._recent_count = {}, 0
        self.words = words
        self._deletions_stale = True

    def _index_deletions(self) -> None:
        if not self._deletions_stale:
            return
        self._deletions_stale = False
        word_list = self.words.tolist()
        keys = [_keys(word) for word in word_list]
        owners = np.repeat(np.arange(len(word_list), dtype=np.int32), [len(k) for k in keys])
        flat = np.concatenate(keys) if keys else np.zeros(0, dtype=np.int64)
        order = np.argsort(flat, kind="stable")
        self._delete_keys, self._delete_words = flat[order], owners[order]

    def slots(self, word: str) -> np.ndarray:
        """The live slots holding `word`."""
        place = bisect.bisect_left(self.words, word)
        found = np.zeros(0, dtype=np.int32)
        if place < len(self.words) and self.words[place] == word:
            found = self._slots[self._offsets[place]:self._offsets[place + 1]]
            found = found[self.merged.values[found]]
        recent = self._recent.get(word)
        if recent:
            found = np.concatenate([found, np.asarray(recent, dtype=np.int32)])
        return found

    def lookalikes(self, typed: str) -> dict[str, float]:
        """The library words `typed` may stand for, with how alike they are (1: the word
        itself); at most LOOKALIKES_PER_WORD, most alike first."""
        scores: dict[str, float] = {}
        for word in self._starting_with(typed):
            scores[word] = 1.0 if word == typed else (
                0.5 if len(typed) < SHORT_WORD else 0.9 * len(typed) / len(word))
        if len(typed) >= SHORT_WORD:
            allowed = 2 if len(typed) >= LONG_WORD else 1
            for word in self._within_edits(typed, allowed):
                distance = OSA.distance(typed, word, score_cutoff=allowed)
                if distance <= allowed:
                    similarity = 1 - distance / max(len(typed), len(word))
                    scores[word] = max(scores.get(word, 0.0), similarity)
        best = sorted(scores.items(), key=lambda item: (-item[1], len(item[0]), item[0]))
        return dict(best[:LOOKALIKES_PER_WORD])

    def _starting_with(self, typed: str) -> list[str]:
        start = bisect.bisect_left(self.words, typed)
        stop = bisect.bisect_left(self.words, typed + _LAST_CHARACTER, lo=start,
                                  hi=min(len(self.words), start + 4 * LOOKALIKES_PER_WORD))
        found = self.words[start:stop].tolist()
        found += [word for word in self._recent if word.startswith(typed)]
        return sorted(found, key=len)[:LOOKALIKES_PER_WORD]

    def _within_edits(self, typed: str, allowed: int) -> set[str]:
        """Candidates sharing the word itself or a one-letter deletion with `typed` (or, two
        edits allowed, a two-letter deletion of it)."""
        keys = {typed} | _deletions(typed)
        if allowed > 1:
            keys |= {shorter for key in _deletions(typed) for shorter in _deletions(key)}
        self._index_deletions()
        hashes = np.fromiter((hash(key) for key in keys), dtype=np.int64)
        starts = np.searchsorted(self._delete_keys, hashes)
        stops = np.searchsorted(self._delete_keys, hashes, side="right")
        owners = [self._delete_words[a:b] for a, b in zip(starts, stops, strict=True) if b > a]
        found = set(self.words[np.concatenate(owners)].tolist()) if owners else set()
        found |= {word for word in self._recent
                  if abs(len(word) - len(typed)) <= allowed
                  and OSA.distance(typed, word, score_cutoff=allowed) <= allowed}
        return found
