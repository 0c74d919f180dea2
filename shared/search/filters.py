"""Which songs of a `SongIndex` a search matches (pure): the typed words, then every filter.

Consumes a `SongIndex`, a `SearchSyntax`, per typed word its lookalikes (the library words it
may stand for, with how alike they are) and the ids a hash lookup allows; emits a mask of the
matching slots and, with words, each slot's similarity. With words, the filters look only at
the songs holding them (each column gathered at those slots): a typo search costs what it
finds, not what the library holds. Without words, each filter reads its whole column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from shared.search.index import FLAG_NAMES, PLAIN_TEXT_NAMES, SongIndex, part_bits
from shared.search.syntax import RangeFilter, SearchSyntax
from shared.search.words import SHORT_WORD
from shared.songs.events import DIFFICULTIES, DRUM_TYPE_NAMES, INSTRUMENTS

Gather = Callable[[np.ndarray], np.ndarray]


def matching(index: SongIndex, syntax: SearchSyntax, lookalikes: list[dict[str, float]] | None,
             only_ids: Iterable[str] | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """The mask of the slots matching `syntax` and, with `lookalikes`, each slot's similarity."""
    if not lookalikes:
        return kept(index, syntax, None, only_ids), None
    holding, scores = holding_words(index, lookalikes)
    passed = kept(index, syntax, holding, only_ids)
    mask = np.zeros(index.size, dtype=bool)
    mask[holding[passed]] = True
    similarity = np.zeros(index.size, dtype=np.float64)
    similarity[holding] = scores
    return mask, similarity


def holding_words(index: SongIndex,
                  lookalikes: list[dict[str, float]]) -> tuple[np.ndarray, np.ndarray]:
    """The slots (sorted) holding a lookalike of every longer word typed, and their mean best
    similarity (short words only rank, unless all words are short)."""
    found = [index.words.best_of(words) for words in lookalikes]  # slots sorted, each once
    required = [len(max(words, key=len, default="")) > SHORT_WORD or not words
                for words in lookalikes]
    any_long = any(required)
    holding = None
    for (slots, _), is_long in zip(found, required, strict=True):
        if is_long or not any_long:
            holding = slots if holding is None else holding[
                np.isin(holding, slots, assume_unique=True)]
    assert holding is not None  # some word is required whenever any is typed
    similarity = np.zeros(len(holding), dtype=np.float64)
    for slots, best in found:
        if not len(slots):
            continue
        at = np.minimum(np.searchsorted(slots, holding), len(slots) - 1)
        held = slots[at] == holding
        similarity[held] += best[at[held]] / len(lookalikes)
    return holding, similarity


def kept(index: SongIndex, syntax: SearchSyntax, rows: np.ndarray | None,
         only_ids: Iterable[str] | None) -> np.ndarray:
    """Which of `rows` (slots; None: every slot) are live and pass every filter of `syntax`."""
    def column(values: np.ndarray) -> np.ndarray:
        return values[:index.size] if rows is None else values[rows]

    def among(slots: np.ndarray | list[int]) -> np.ndarray:
        if rows is None:
            inside = np.zeros(index.size, dtype=bool)
            inside[slots] = True
            return inside
        return np.isin(rows, slots)

    passed = column(index.alive.values).copy()
    for word in syntax.excluded_words:
        passed &= ~among(index.words.slots(word))
    for wanted in syntax.ranges:
        passed &= _inside(index, wanted, column)
    for part in syntax.parts:
        bits = part_bits(f"{i}:{d}" for i in ((part.instrument,) if part.instrument
                                              else INSTRUMENTS)
                         for d in ((part.difficulty,) if part.difficulty else DIFFICULTIES))
        has = (column(index.parts.values) & np.uint64(bits)) != 0
        passed &= ~has if part.exclude else has
    for flag, wanted in syntax.flags:
        has = (column(index.flags.values) & (1 << FLAG_NAMES.index(flag))) != 0
        passed &= has if wanted else ~has
    for drum_type, wanted in syntax.drum_types:
        has = column(index.drum_type.values) == DRUM_TYPE_NAMES.index(drum_type)
        passed &= has if wanted else ~has
    if only_ids is not None:
        passed &= among([s for i in only_ids if (s := index.slot_of(i)) is not None])
    for text in sorted(syntax.texts, key=lambda t: t.field in PLAIN_TEXT_NAMES):
        if text.field in PLAIN_TEXT_NAMES:  # last: it looks only at what is left
            left = np.flatnonzero(passed)
            matched = np.zeros(len(passed), dtype=bool)
            matched[left[index.texts[text.field].matches(
                left if rows is None else rows[left], text.value, text.exact)]] = True
        else:
            dictionary = index.dictionaries[text.field]
            matched = dictionary.matches(column(dictionary.codes.values), text.value,
                                         text.exact)
        passed &= ~matched if text.exclude else matched
    return passed


def _inside(index: SongIndex, wanted: RangeFilter, column: Gather) -> np.ndarray:
    if wanted.field.startswith("tier:"):
        tiers = column(index.tiers.values)[:, INSTRUMENTS.index(wanted.field[5:])]
        values = np.where(tiers >= 0, tiers.astype(np.float32), np.nan)
    else:
        values = column(index.numbers[wanted.field].values)
    low, high = (b.timestamp() if hasattr(b, "timestamp") else b  # type: ignore[union-attr]
                 for b in (wanted.low, wanted.high))
    inside = ~np.isnan(values)
    with np.errstate(invalid="ignore"):
        if low is not None:
            inside &= values > low if wanted.low_open else values >= low
        if high is not None:
            inside &= values < high if wanted.high_open else values <= high
    return ~inside if wanted.exclude else inside
