"""Column storage of the search index: growable numpy columns, dictionary-encoded text, and
song ids as 128-bit numbers with a sorted lookup.

Pure: values in, arrays out. A dictionary column keeps each distinct value once and a code per
song, so 200,000 songs by 6,000 artists hold 6,000 artist strings; a text column holds one
lowercased string per song in numpy's variable-width strings (16 bytes each, longer ones in
one shared arena).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.dtypes import StringDType

NO_CODE = -1
STRINGS = StringDType()


class Column:
    """One value per song slot, in a numpy array that doubles when full."""

    def __init__(self, dtype: type | np.dtype, empty: float | int | str,
                 width: int = 0) -> None:
        self.empty = empty
        shape = (16, width) if width else (16,)
        self.values = np.full(shape, empty, dtype=dtype)

    def ensure(self, size: int) -> None:
        if size <= len(self.values):
            return
        grown = np.full((max(size, 2 * len(self.values)), *self.values.shape[1:]), self.empty,
                        dtype=self.values.dtype)
        grown[:len(self.values)] = self.values
        self.values = grown

    def view(self, size: int) -> np.ndarray:
        return self.values[:size]

    def trim(self, size: int) -> None:
        """Gives back the room beyond `size` slots (after a bulk load)."""
        if len(self.values) > size:
            self.values = self.values[:max(size, 1)].copy()


class DictionaryColumn:
    """Dictionary-encoded text: `codes[slot]` indexes `values`; matching ignores case."""

    def __init__(self) -> None:
        self.codes = Column(np.int32, NO_CODE)
        self.values: list[str] = []
        self._code_of: dict[str, int] = {}
        self._lowered: np.ndarray | None = None

    def set(self, slot: int, value: str | None) -> None:
        self.codes.values[slot] = NO_CODE if value is None else self._code(value)

    def _code(self, value: str) -> int:
        code = self._code_of.get(value)
        if code is None:
            code = self._code_of[value] = len(self.values)
            self.values.append(value)
            self._lowered = None
        return code

    def value(self, slot: int) -> str | None:
        code = int(self.codes.values[slot])
        return None if code == NO_CODE else self.values[code]

    def lowered(self) -> np.ndarray:
        """Every value lowercased, by code (recomputed only after a new value arrives)."""
        if self._lowered is None:
            self._lowered = np.strings.lower(np.array(self.values, dtype=STRINGS))
        return self._lowered

    def matches(self, codes: np.ndarray, needle: str, exact: bool) -> np.ndarray:
        """Which of `codes` (this column's, of the slots asked about) stand for a value equal
        to (exact) or containing `needle`, ignoring case."""
        lowered = self.lowered()
        needle = needle.lower()
        hits = lowered == needle if exact else np.strings.find(lowered, needle) >= 0
        wanted = np.zeros(len(lowered) + 1, dtype=bool)
        wanted[1:] = hits  # a slot's code shifted by one, so that no value indexes -1
        return wanted[codes + 1]


class TextColumn:
    """One lowercased text per slot ("" for none), for values nearly every song has its own
    of (titles, albums): contains and equals, and telling sort ties apart."""

    def __init__(self) -> None:
        self.texts = Column(STRINGS, "")

    def set(self, slot: int, value: str | None) -> None:
        self.texts.values[slot] = (value or "").lower()

    def value(self, slot: int) -> str:
        return str(self.texts.values[slot])

    def view(self, size: int) -> np.ndarray:
        return self.texts.view(size)

    def matches(self, slots: np.ndarray, needle: str, exact: bool) -> np.ndarray:
        """Which of `slots` hold a text equal to or containing `needle`."""
        texts = self.texts.values[slots]
        needle = needle.lower()
        return texts == needle if exact else np.strings.find(texts, needle) >= 0


class SongIds:
    """Each slot's song id as two 64-bit halves of its UUID, found again by a copy sorted by
    both halves; ids added since the copy was sorted sit in a dictionary until it has grown
    by a quarter."""

    RESORT_AFTER = 4096

    def __init__(self) -> None:
        self.high = Column(np.uint64, 0)
        self.low = Column(np.uint64, 0)
        self._sorted_high = np.zeros(0, dtype=np.uint64)
        self._sorted_low = np.zeros(0, dtype=np.uint64)
        self._sorted_slots = np.zeros(0, dtype=np.int32)
        self._recent: dict[int, int] = {}

    def set(self, slot: int, number: int) -> None:
        self.high.values[slot] = number >> 64
        self.low.values[slot] = number & 0xFFFF_FFFF_FFFF_FFFF
        self._recent[number] = slot

    def forget(self, number: int) -> None:
        self._recent.pop(number, None)

    def number(self, slot: int) -> int:
        return (int(self.high.values[slot]) << 64) | int(self.low.values[slot])

    def find(self, number: int, alive: np.ndarray) -> int | None:
        """The live slot holding `number`, if any."""
        slot = self._recent.get(number)
        if slot is not None:
            return slot
        high, low = np.uint64(number >> 64), np.uint64(number & 0xFFFF_FFFF_FFFF_FFFF)
        start = int(np.searchsorted(self._sorted_high, high))
        stop = int(np.searchsorted(self._sorted_high, high, side="right"))
        place = start + int(np.searchsorted(self._sorted_low[start:stop], low))
        if place < stop and self._sorted_low[place] == low:
            candidate = int(self._sorted_slots[place])
            if (alive[candidate] and self.high.values[candidate] == high
                    and self.low.values[candidate] == low):
                return candidate
        return None

    def resort_if_due(self, alive: np.ndarray, force: bool = False) -> None:
        if not force and len(self._recent) < max(self.RESORT_AFTER, len(self._sorted_slots) // 4):
            return
        slots = np.flatnonzero(alive).astype(np.int32)
        highs, lows = self.high.values[slots], self.low.values[slots]
        order = np.lexsort((lows, highs))
        self._sorted_high, self._sorted_low = highs[order], lows[order]
        self._sorted_slots = slots[order]
        self._recent.clear()


class GroupCodes:
    """Each slot's version group as a small number (`codes`), for counting with numpy.

    A song whose group is its own id gets a number of its own, kept in the array alone (most
    songs); only the groups another song names (or that are named by an id of their own, as a
    split makes) take a dictionary entry, so a library of songs mostly alone costs an array,
    not an entry per song."""

    def __init__(self) -> None:
        self.codes = Column(np.int32, -1)
        self.own = Column(np.bool_, False)
        """Per slot, whether its group is its own song id."""
        self.count = 0
        self._named: dict[int, int] = {}

    def set(self, slot: int, song: int, group: int | None,
            find: Callable[[int], int | None]) -> None:
        """Slot `slot` holds song `song` (a UUID's number) of `group` (None: its own);
        `find` gives the live slot of a song's number, if any."""
        if group is None or group == song:
            code = self._named.get(song)
            if code is None:
                code = int(self.codes.values[slot]) if self.own.values[slot] else self._fresh()
            self.own.values[slot] = True
        else:
            code = self._named.get(group)
            if code is None:  # the first song to name it: share the number of its namesake
                namesake = find(group)
                code = (int(self.codes.values[namesake])
                        if namesake is not None and self.own.values[namesake] else self._fresh())
                self._named[group] = code
            self.own.values[slot] = False
        self.codes.values[slot] = code

    def forget(self, slot: int) -> None:
        """The slot's song is gone: the next song in it starts a number of its own."""
        self.own.values[slot] = False

    def _fresh(self) -> int:
        self.count += 1
        return self.count - 1
