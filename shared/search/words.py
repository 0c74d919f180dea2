"""The search index's words (pure): which songs hold each word, and which library words a
typed word may stand for.

Postings are kept in flat arrays (every word's slots one after another, found by the word's
place among the sorted words); songs changed since the arrays were last built sit in a small
dictionary and are merged in once it has grown by a quarter. A typed word stands for library
words it is the start of, and for those within one edit of it (two for longer words), found
by a symmetric-delete table: each library word filed under itself and each of its one-letter
deletions, hashed (32 bits) into one sorted array, so a lookup costs a few binary searches;
rapidfuzz measures the edits of the few candidates found. A word is found among the sorted
words by a binary search in Python (`bisect`): numpy's own `searchsorted` reads a whole
variable-width string array per call.
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
_KEY_MASK = 0xFFFF_FFFF
_HIGH_HALF = np.uint64(32)


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: `np.unique` without loading `numpy.ma` (1.5 MB that
    nothing else here needs), which it consults on every call."""
    ordered = np.sort(values)
    keep = np.ones(len(ordered), dtype=np.bool_)
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _key(text: str) -> int:
    """A text's place in the lookalike table: the low 32 bits of its hash. Texts sharing one
    by chance only add candidates, which are measured by their edits before being kept."""
    return hash(text) & _KEY_MASK


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
        self._delete_keys = np.zeros(0, dtype=np.uint32)
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
        # Each (word, slot) pair as one number, the word's place above the slot, sorted in
        # place: 8 bytes a pair while merging, where separate arrays and their sort order
        # took 40.
        keep = self.merged.view(len(alive))[self._slots]
        recent_words = np.array(list(self._recent), dtype=STRINGS)
        words = _distinct(np.concatenate([self.words, recent_words]))
        kept = np.repeat(np.searchsorted(words, self.words).astype(np.uint64) << _HIGH_HALF,
                         np.diff(self._offsets))[keep]
        kept |= self._slots[keep].astype(np.uint64)
        places = np.searchsorted(words, recent_words).tolist()
        recent = np.fromiter((place << 32 | slot
                              for place, slots in zip(places, self._recent.values(), strict=True)
                              for slot in slots), dtype=np.uint64, count=self._recent_count)
        pairs = np.concatenate([kept, recent])
        del kept, recent
        pairs.sort()
        self._slots = pairs.astype(np.uint32).view(np.int32)  # the low 32 bits: the slot
        self._offsets = np.searchsorted(
            pairs, np.arange(len(words) + 1, dtype=np.uint64) << _HIGH_HALF)
        self.merged.values[:len(alive)] = alive
        self._recent, self._recent_count = {}, 0
        self.words = words
        self._deletions_stale = True

    def _index_deletions(self) -> None:
        if not self._deletions_stale:
            return
        self._deletions_stale = False
        # Each entry as one number, key above word, sorted in place: the table costs 8 bytes
        # an entry while it is built and 4 + 4 once split.
        entries = np.fromiter((_key(key) << 32 | owner
                               for owner, word in enumerate(self.words.tolist())
                               for key in {word} | _deletions(word)), dtype=np.uint64)
        entries.sort()
        self._delete_keys = (entries >> _HIGH_HALF).astype(np.uint32)
        self._delete_words = entries.astype(np.uint32).view(np.int32)

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

    def best_of(self, scored: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
        """The live slots holding any of the `scored` words, each once, with the best score
        among the words it holds; only the slots found are touched."""
        found = [(self.slots(word), score) for word, score in scored.items()]
        if not found:
            return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.float64)
        slots = np.concatenate([held for held, _ in found])
        scores = np.concatenate([np.full(len(held), score) for held, score in found])
        order = np.lexsort((-scores, slots))  # by slot, its best score first
        slots, scores = slots[order], scores[order]
        first = np.ones(len(slots), dtype=bool)
        first[1:] = slots[1:] != slots[:-1]
        return slots[first], scores[first]

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
        hashes = np.fromiter((_key(key) for key in keys), dtype=np.uint32)
        starts = np.searchsorted(self._delete_keys, hashes)
        stops = np.searchsorted(self._delete_keys, hashes, side="right")
        owners = [self._delete_words[a:b] for a, b in zip(starts, stops, strict=True) if b > a]
        found = set(self.words[np.concatenate(owners)].tolist()) if owners else set()
        found |= {word for word in self._recent
                  if abs(len(word) - len(typed)) <= allowed
                  and OSA.distance(typed, word, score_cutoff=allowed) <= allowed}
        return found
