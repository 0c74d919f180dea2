"""An in-memory, columnar index of the library for search, filters and facet counts (pure).

The search service keeps one (or a gateway on its own, for a small library), loaded from the
catalog's `songs` and kept current from the catalog's change notifications. It answers *which*
songs match (`shared/search/filters.py`) and how they sort; the rows shown are then read from
the catalog by id, so a song deleted a moment ago is never shown.
"""

from __future__ import annotations

import itertools
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from shared.search.columns import Column, DictionaryColumn, GroupCodes, SongIds, TextColumn
from shared.search.syntax import SearchSyntax
from shared.search.words import WordPostings
from shared.songs.events import DIFFICULTIES, DRUM_TYPE_NAMES, INSTRUMENTS

FLAG_NAMES = ("solos", "forced", "open", "taps", "lyrics", "vocals", "rolls", "double_kick",
              "issues", "video", "modchart", "duplicate_chart", "duplicate_title")
DICTIONARY_NAMES = ("artist", "genre", "year", "charter")
"""Text fields many songs share a value of: kept once per distinct value."""
PLAIN_TEXT_NAMES = ("name", "album")
"""Text fields nearly every song has its own value of: kept lowercased per song."""
NUMBER_NAMES = ("length", "year", "max_nps", "avg_nps", "modified", "added")
SEARCHED = ("name", "artist", "album", "genre", "charter")
SORTED_TEXTS = ("name", "artist", "album")
_WORD_BREAKS = re.compile(r"[\W_]+")
_EVERY_INSTRUMENT = sum(1 << (4 * i) for i in range(len(INSTRUMENTS)))
_VERSIONS = itertools.count(1)


@dataclass(frozen=True)
class IndexedSong:
    """What the index keeps of one song; numbers are None when unknown."""

    id: str
    name: str
    artist: str = ""
    album: str | None = None
    genre: str | None = None
    year: str | None = None
    charter: str | None = None
    length: float | None = None
    """Seconds."""
    year_number: int | None = None
    max_nps: float | None = None
    avg_nps: float | None = None
    modified: float = 0.0
    """Epoch seconds of the song's last change; `added` of its arrival."""
    added: float = 0.0
    flags: frozenset[str] = frozenset()
    drum_type: str | None = None
    parts: tuple[str, ...] = ()
    """"instrument:difficulty" of every part charted."""
    tiers: Mapping[str, int] = field(default_factory=dict)
    group: str | None = None
    """The song's version group; None: a group of its own."""


def song_words(values: Iterable[str | None]) -> set[str]:
    """The words a song is found by, split as the catalog splits its search words."""
    return {word for value in values if value
            for word in _WORD_BREAKS.split(value.lower()) if word}


class SongIndex:
    """Songs in slots; a removed song's slot is reused by the next one added."""

    def __init__(self, merge_words_after: int = WordPostings.MERGE_AFTER) -> None:
        self.version = next(_VERSIONS)
        """New with every change to any index: what was found in one version holds for it."""
        self.size = 0
        self._count = 0
        self._free: list[int] = []
        self.ids = SongIds()
        self.alive = Column(np.bool_, False)
        self.dictionaries = {name: DictionaryColumn() for name in DICTIONARY_NAMES}
        self.texts = {name: TextColumn() for name in PLAIN_TEXT_NAMES}
        self.numbers = {name: Column(np.float64 if name in ("modified", "added")
                                     else np.float32, np.nan) for name in NUMBER_NAMES}
        self.flags = Column(np.uint16, 0)
        self.parts = Column(np.uint64, 0)
        self.instruments = Column(np.uint16, 0)
        """Per slot, a bit per instrument charted at any difficulty."""
        self.difficulties = Column(np.uint8, 0)
        """Per slot, a bit per difficulty charted for any instrument."""
        self.decades = Column(np.int16, -1)
        self.tiers = Column(np.int8, -1, width=len(INSTRUMENTS))
        self.drum_type = Column(np.int8, -1)
        self.prefixes = {name: Column(np.uint64, 0) for name in SORTED_TEXTS}
        self.words = WordPostings(merge_words_after)
        self.groups = GroupCodes()
        """Per slot, its version group as a small number (`group_count` of them)."""
        self._columns = (self.alive, self.flags, self.parts, self.instruments,
                         self.difficulties, self.decades, self.tiers, self.drum_type,
                         self.ids.high, self.ids.low, *self.numbers.values(),
                         *self.prefixes.values(), *(d.codes for d in self.dictionaries.values()),
                         *(t.texts for t in self.texts.values()), self.groups.codes,
                         self.groups.own)

    def __len__(self) -> int:
        return self._count

    @property
    def group_count(self) -> int:
        return self.groups.count

    def put(self, song: IndexedSong, new: bool = False) -> None:
        """Add `song`, or replace what the index held for it; `new` when the caller knows
        the index holds no song of its id (a load from scratch), which saves looking."""
        self.version = next(_VERSIONS)
        number = uuid.UUID(song.id).int
        slot = None if new else self.ids.find(number, self.alive.values)
        if slot is None:
            slot = self._free.pop() if self._free else self._grow()
            self.ids.set(slot, number)
            self._count += 1
        else:
            self.words.drop(slot, self._words_of(slot))
        self.alive.values[slot] = True
        self.groups.set(slot, number, uuid.UUID(song.group).int if song.group else None,
                        lambda other: self.ids.find(other, self.alive.values))
        for name in DICTIONARY_NAMES:
            self.dictionaries[name].set(slot, getattr(song, name))
        for name in PLAIN_TEXT_NAMES:
            self.texts[name].set(slot, getattr(song, name))
        for name in SORTED_TEXTS:
            self.prefixes[name].values[slot] = sort_prefix(getattr(song, name))
        numbers = {"length": song.length, "year": song.year_number, "max_nps": song.max_nps,
                   "avg_nps": song.avg_nps, "modified": song.modified, "added": song.added}
        for name, value in numbers.items():
            self.numbers[name].values[slot] = np.nan if value is None else value
        self.decades.values[slot] = -1 if song.year_number is None else song.year_number // 10
        self.flags.values[slot] = sum(1 << FLAG_NAMES.index(f) for f in song.flags
                                      if f in FLAG_NAMES)
        parts = part_bits(song.parts)
        self.parts.values[slot] = parts
        self.instruments.values[slot] = sum(1 << i for i in range(len(INSTRUMENTS))
                                            if parts >> (4 * i) & 0b1111)
        self.difficulties.values[slot] = sum(1 << d for d in range(len(DIFFICULTIES))
                                             if parts & _EVERY_INSTRUMENT << d)
        self.tiers.values[slot] = [song.tiers.get(i, -1) for i in INSTRUMENTS]
        self.drum_type.values[slot] = (DRUM_TYPE_NAMES.index(song.drum_type)
                                       if song.drum_type in DRUM_TYPE_NAMES else -1)
        self.words.add(slot, song_words(getattr(song, name) for name in SEARCHED))
        self.settle()

    def remove(self, song_id: str) -> None:
        self.version = next(_VERSIONS)
        number = uuid.UUID(song_id).int
        slot = self.ids.find(number, self.alive.values)
        if slot is None:
            return
        self.words.drop(slot, self._words_of(slot))
        self.alive.values[slot] = False
        self.groups.forget(slot)
        self.ids.forget(number)
        self._free.append(slot)
        self._count -= 1

    def settle(self, force: bool = False) -> None:
        """Fold recent changes into the flat arrays once they have piled up (or now)."""
        alive = self.alive.view(self.size)
        self.words.merge_if_due(alive, force)
        self.ids.resort_if_due(alive, force)
        if force:
            for column in (*self._columns, self.words.merged):
                column.trim(self.size)

    def slot_of(self, song_id: str) -> int | None:
        return self.ids.find(uuid.UUID(song_id).int, self.alive.values)

    def id_of(self, slot: int) -> str:
        return str(uuid.UUID(int=self.ids.number(slot)))

    def _grow(self) -> int:
        slot = self.size
        self.size += 1
        if self.size > len(self.alive.values):  # all columns grow together
            for column in self._columns:
                column.ensure(self.size)
            self.words.ensure(self.size)
        return slot

    def _words_of(self, slot: int) -> set[str]:
        return song_words(self.text(name, slot) for name in SEARCHED)

    def text(self, name: str, slot: int) -> str | None:
        if name in self.texts:
            return self.texts[name].value(slot)
        return self.dictionaries[name].value(slot)

    def number(self, name: str) -> np.ndarray:
        return self.numbers[name].view(self.size)

    def lookalikes(self, words: Iterable[str]) -> list[dict[str, float]]:
        """Per word typed, the library words it may stand for and how alike they are."""
        return [self.words.lookalikes(word) for word in words]

    def matching(self, syntax: SearchSyntax, lookalikes: list[dict[str, float]] | None = None,
                 only_ids: Iterable[str] | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """The slots matching `syntax` (a mask) and, with words, each slot's similarity.

        `lookalikes` holds, per word typed, the library words it may stand for and how alike
        they are (found by the index when not given); `only_ids` restricts to songs found
        elsewhere (hash lookups)."""
        from shared.search.filters import matching  # it reads this module's names

        if lookalikes is None and syntax.words:
            lookalikes = self.lookalikes(syntax.words)
        return matching(self, syntax, lookalikes, only_ids)


def sort_prefix(text: str | None) -> int:
    """The first 8 bytes of `text` lowercased (UTF-8), as a number that sorts as the text
    does; 0 for no text. Equal prefixes are told apart by the whole text."""
    if not text:
        return 0
    return int.from_bytes(text.lower().encode()[:8].ljust(8, b"\0"), "big")


def part_bits(parts: Iterable[str]) -> int:
    """The index's bit set of "instrument:difficulty" parts."""
    bits = 0
    for part in parts:
        instrument, _, difficulty = part.partition(":")
        if instrument in INSTRUMENTS and difficulty in DIFFICULTIES:
            bits |= 1 << (INSTRUMENTS.index(instrument) * 4 + DIFFICULTIES.index(difficulty))
    return bits
