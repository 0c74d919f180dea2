"""Sorting a search's matches and cutting a page, by offset or by keyset cursor (pure).

A page is found without sorting the whole match: one partition on each song's numeric sort
key finds the band of keys the page spans, and only that band is ordered in full (by the
whole text, then the title, then the id). A cursor holds the last song's sort key, so the
next page starts after it even when songs were added or removed meanwhile.
"""

from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from shared.search.columns import STRINGS
from shared.search.index import SongIndex
from shared.search.protocol import BadCursor, Order

SORTS = ("relevance", "name", "artist", "album", "year", "length", "added", "nps", "modified")
_NUMBERS = {"year": "year", "length": "length", "added": "added", "nps": "max_nps",
            "modified": "modified"}
_TEXTS = ("name", "artist", "album")
_LAST = np.iinfo(np.uint64).max


@dataclass(frozen=True)
class Page:
    total: int
    ids: list[str]
    next_cursor: str | None
    slots: list[int] = field(default_factory=list)
    """The index slots of `ids`, in the same order."""


def page(index: SongIndex, mask: np.ndarray, order: Order, limit: int, offset: int = 0,
         after: str | None = None, similarity: np.ndarray | None = None) -> Page:
    """`limit` song ids in `order` from `offset`, or after the song `after` points at."""
    ties = _Ties(index, order)
    slots = np.flatnonzero(mask)
    keys = _primary(index, order, similarity, slots)
    total = len(slots)
    if after is not None:
        last_key, last_tie = _decode(after, order)
        equal = slots[keys == last_key]
        later = keys > last_key
        slots = np.concatenate([slots[later], equal[ties.after(equal, last_tie)]])
        keys = np.concatenate([keys[later], np.full(len(slots) - np.count_nonzero(later),
                                                    last_key, dtype=keys.dtype)])
        offset = 0
    chosen = _cut(slots, keys, offset, limit, ties)
    following = None
    if chosen and (offset + len(chosen) < len(slots)):
        last = chosen[-1]
        last_key = _primary(index, order, similarity, np.array([last]))[0]
        following = _encode(order, last_key.item(), ties.of(last))
    return Page(total, [index.id_of(s) for s in chosen], following, chosen)


class _Ties:
    """The whole order among songs with equal keys: the sorted text, then the title, then
    the id; reversed for a descending text or number sort."""

    def __init__(self, index: SongIndex, order: Order) -> None:
        self.index = index
        self.text = order.sort if order.sort in _TEXTS and order.sort != "name" else None
        self.reverse = _reversed(order)

    def of(self, slot: int) -> tuple[str, ...]:
        title = (self.index.text("name", slot) or "", self.index.id_of(slot))
        if self.text is None:
            return title
        return ((self.index.text(self.text, slot) or "").lower(), *title)

    def _lowered(self, name: str, slots: np.ndarray) -> np.ndarray:
        if name in self.index.texts:
            return self.index.texts[name].texts.values[slots]
        column = self.index.dictionaries[name]
        return np.concatenate([column.lowered(), np.array([""], dtype=STRINGS)])[
            column.codes.values[slots]]

    def after(self, slots: np.ndarray, last: tuple[str, ...]) -> np.ndarray:
        """Which of `slots` (all with the cursor's key) come after the tie `last`."""
        number = uuid.UUID(last[-1]).int
        high, low = np.uint64(number >> 64), np.uint64(number & 0xFFFF_FFFF_FFFF_FFFF)
        highs, lows = self.index.ids.high.values[slots], self.index.ids.low.values[slots]
        later = (highs > high) | ((highs == high) & (lows > low))
        same = (highs == high) & (lows == low)
        names = ("name",) if self.text is None else (self.text, "name")
        for name, value in reversed(list(zip(names, last, strict=False))):
            texts = self._lowered(name, slots)
            later = (texts > value) | ((texts == value) & later)
            same &= texts == value
        return ~later & ~same if self.reverse else later

    def order(self, slots: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """`slots` sorted by key, then by the numeric starts of their texts and their ids;
        songs whose keys and text starts are all equal are told apart by `settle`."""
        columns = [self.index.ids.low.values[slots], self.index.ids.high.values[slots],
                   self.index.prefixes["name"].values[slots]]
        if self.text is not None:
            columns.append(self.index.prefixes[self.text].values[slots])
        if self.reverse:
            columns = [~column for column in columns]
        return slots[np.lexsort((*columns, keys))]

    def settle(self, ordered: np.ndarray, keys: np.ndarray, start: int, stop: int) -> list[int]:
        """`ordered[start:stop]`, where runs of equal key and equal text starts are sorted
        by their whole texts."""
        columns = [keys, self.index.prefixes["name"].values[ordered]]
        if self.text is not None:
            columns.append(self.index.prefixes[self.text].values[ordered])
        continues = np.ones(len(ordered), dtype=bool)
        continues[0] = False
        for column in columns:
            continues[1:] &= column[1:] == column[:-1]
        run_starts = np.flatnonzero(~continues)
        run_of = np.cumsum(~continues) - 1
        result = ordered.tolist()
        for run in range(int(run_of[start]), int(run_of[stop - 1]) + 1):
            first = int(run_starts[run])
            last = int(run_starts[run + 1]) if run + 1 < len(run_starts) else len(ordered)
            if last - first > 1:
                result[first:last] = sorted(result[first:last], key=self.of,
                                            reverse=self.reverse)
        return result[start:stop]


def _cut(slots: np.ndarray, keys: np.ndarray, offset: int, limit: int,
         ties: _Ties) -> list[int]:
    """The page, from one partition on the keys and a full sort of only the band of keys
    the page spans."""
    if offset >= len(slots) or limit <= 0:
        return []
    end = min(offset + limit, len(slots))
    bounds = np.partition(keys, [offset, end - 1])
    low, high = bounds[offset], bounds[end - 1]
    before = int(np.count_nonzero(keys < low))
    inside = (keys >= low) & (keys <= high)
    band, band_keys = slots[inside], keys[inside]
    ordered = ties.order(band, band_keys)
    return ties.settle(ordered, np.sort(band_keys, kind="stable"), offset - before,
                       end - before)


def _reversed(order: Order) -> bool:
    return order.descending and order.sort != "relevance"


def _primary(index: SongIndex, order: Order, similarity: np.ndarray | None,
             slots: np.ndarray) -> np.ndarray:
    """The key of each of `slots`, ascending in the wanted order, unknown values last either
    way (worked out for those slots only)."""
    if order.sort == "relevance":
        if similarity is None:
            return np.zeros(len(slots), dtype=np.float64)
        return -similarity.take(slots)
    if order.sort in _TEXTS:
        prefixes = index.prefixes[order.sort].values.take(slots)
        keyed = ~prefixes if order.descending else prefixes.copy()
        keyed[prefixes == 0] = _LAST
        return keyed
    values = index.numbers[_NUMBERS[order.sort]].values.take(slots).astype(np.float64)
    keyed = -values if order.descending else values
    keyed[np.isnan(values)] = np.inf
    return keyed


def _encode(order: Order, key: Any, tie: tuple) -> str:
    body = json.dumps([order.sort, order.descending, key, list(tie)], separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def _decode(cursor: str, order: Order) -> tuple[Any, tuple]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        sort, descending, key, tie = json.loads(base64.urlsafe_b64decode(padded))
        valid = (isinstance(key, int | float) and isinstance(tie, list)
                 and all(isinstance(part, str) for part in tie))
    except (ValueError, TypeError):
        raise BadCursor("The cursor is not one this search handed out.") from None
    if not valid or (sort, descending) != (order.sort, order.descending):
        raise BadCursor("The cursor belongs to another sort; start again without it.")
    return key, tuple(tie)
