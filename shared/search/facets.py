"""Facet counts of a search (pure): songs per instrument, difficulty, genre, charter, decade.

Counted over the whole match, not the page: one `np.bincount` per facet over the matching
songs' codes (a song's set of instruments or difficulties is one small number, so counting
those numbers and adding up the ones holding each bit counts every instrument at once). The
matching slots are listed once and each column gathered by them (`take`): a boolean mask
picks values from a column about ten times slower. Given the matches' version groups, a facet
counts songs: a group once for each value any of its matching versions holds, which is how
many rows the search narrowed to it shows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from shared.search.groups import GroupedMatches
from shared.search.index import SongIndex
from shared.songs.events import DIFFICULTIES, INSTRUMENTS

TOP_VALUES = 12
_INSTRUMENT_BITS = (np.arange(1 << len(INSTRUMENTS))[:, None] >> np.arange(len(INSTRUMENTS))) & 1
_DIFFICULTY_BITS = ((np.arange(1 << len(DIFFICULTIES))[:, None] >> np.arange(len(DIFFICULTIES)))
                    & 1)


def facet_counts(index: SongIndex, mask: np.ndarray, top: int = TOP_VALUES,
                 grouped: GroupedMatches | None = None) -> dict[str, Any]:
    """How many matching songs have each instrument, difficulty, decade, and the `top`
    genres and charters (most songs first); with `grouped`, versions of one song count once."""
    slots = np.flatnonzero(mask) if grouped is None else None

    def sets(values: np.ndarray) -> np.ndarray:
        return values.take(slots) if grouped is None else grouped.union(values)

    def codes(values: np.ndarray) -> np.ndarray:
        return values.take(slots) if grouped is None else grouped.once(values)

    per_set = np.bincount(sets(index.instruments.view(index.size)),
                          minlength=len(_INSTRUMENT_BITS))
    per_instrument = per_set @ _INSTRUMENT_BITS
    per_set = np.bincount(sets(index.difficulties.view(index.size)),
                          minlength=len(_DIFFICULTY_BITS))
    per_difficulty = per_set @ _DIFFICULTY_BITS
    per_decade = np.bincount(codes(index.decades.view(index.size)) + 1)[1:]  # -1: no year
    return {
        "instrument": {name: int(count) for name, count
                       in zip(INSTRUMENTS, per_instrument, strict=True) if count},
        "difficulty": {name: int(count) for name, count
                       in reversed(list(zip(DIFFICULTIES, per_difficulty, strict=True))) if count},
        "decade": {f"{decade * 10}s": int(per_decade[decade])
                   for decade in np.flatnonzero(per_decade).tolist()},
        "genre": _top(index, "genre", codes, top),
        "charter": _top(index, "charter", codes, top),
    }


def _top(index: SongIndex, name: str, matching: Callable[[np.ndarray], np.ndarray],
         top: int) -> dict[str, int]:
    column = index.dictionaries[name]
    # Codes shifted by one, so that songs without a value (-1) count in a bin of their own.
    counts = np.bincount(matching(column.codes.view(index.size)) + 1,
                         minlength=len(column.values) + 1)[1:]
    if not counts.any():
        return {}
    best = np.argsort(-counts, kind="stable")[:top]
    return {column.values[code]: int(counts[code]) for code in best.tolist() if counts[code]}
