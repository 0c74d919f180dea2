"""Which songs a library search finds, in what order, and how many per facet (pure).

Consumes a `SongIndex`, a checked `LibraryQuery` with its `SearchSyntax`, and the ids a hash
lookup allows (None: any); emits `Matches`: one page of song ids, the total, the next cursor,
facet counts and, for typed words, each song's similarity. Unless the search asks for every
version, a song's versions make one match (its newest matching version), and totals, facets
and pages count those.

A `MatchCache` keeps the match sets of recent searches (what matched, the version groups,
the facets) for the index as it is: the other pages and sorts of one search, as people browse,
then only sort and cut. Any change to the index makes its entries unreachable.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np

from shared.persistence.library_query import LibraryQuery
from shared.search.facets import facet_counts
from shared.search.groups import GroupedMatches
from shared.search.index import SongIndex
from shared.search.library_syntax import search_order
from shared.search.paging import page
from shared.search.protocol import Matches
from shared.search.syntax import SearchSyntax

CACHE_MB = 64


@dataclass(frozen=True)
class MatchSet:
    """What a search matches in one state of the index, whatever the order and page."""

    shown: np.ndarray
    """A mask of the matches shown: one per version group unless every version is asked."""
    similarity: np.ndarray | None
    facets: dict[str, Any]

    @property
    def nbytes(self) -> int:
        return self.shown.nbytes + (0 if self.similarity is None else self.similarity.nbytes)


class MatchCache:
    """The match sets of the searches asked last, up to `megabytes` of arrays."""

    def __init__(self, megabytes: float = CACHE_MB) -> None:
        self.budget = int(megabytes * 2**20)
        self._sets: OrderedDict[tuple, MatchSet] = OrderedDict()
        self.held_bytes = 0
        self.hits = self.misses = 0

    def get(self, key: tuple) -> MatchSet | None:
        found = self._sets.get(key)
        if found is None:
            self.misses += 1
            return None
        self.hits += 1
        self._sets.move_to_end(key)
        return found

    def put(self, key: tuple, match_set: MatchSet) -> None:
        if match_set.nbytes > self.budget or key in self._sets:
            return
        self._sets[key] = match_set
        self.held_bytes += match_set.nbytes
        while self.held_bytes > self.budget:
            _, dropped = self._sets.popitem(last=False)
            self.held_bytes -= dropped.nbytes


def find_matches(index: SongIndex, query: LibraryQuery, syntax: SearchSyntax,
                 only_ids: Collection[str] | None = None,
                 cache: MatchCache | None = None) -> Matches:
    """One page of the songs matching `syntax`, their total and facet counts."""
    key = (index.version, syntax, None if only_ids is None else frozenset(only_ids))
    found = cache.get(key) if cache is not None else None
    if found is None:
        found = match_set(index, syntax, only_ids)
        if cache is not None:
            cache.put(key, found)
    offset = 0 if query.cursor else query.offset
    shown = page(index, found.shown, search_order(query, syntax), query.per_page, offset,
                 after=query.cursor, similarity=found.similarity)
    scores = {} if found.similarity is None or not syntax.words else {
        song_id: round(float(found.similarity[slot]), 3)
        for song_id, slot in zip(shown.ids, shown.slots, strict=True)}
    return Matches(shown.total, shown.ids, shown.next_cursor, found.facets, scores)


def match_set(index: SongIndex, syntax: SearchSyntax,
              only_ids: Collection[str] | None = None) -> MatchSet:
    """The songs matching `syntax` (and `only_ids`), grouped unless every version is asked."""
    mask, similarity = index.matching(syntax, only_ids=only_ids)
    grouped = None if syntax.versions == "all" else GroupedMatches(index, mask)
    shown = mask if grouped is None else grouped.representatives()
    return MatchSet(shown, similarity, facet_counts(index, mask, grouped=grouped))
