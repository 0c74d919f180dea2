"""Which songs a library search finds, in what order, and how many per facet (pure).

Consumes a `SongIndex`, a checked `LibraryQuery` with its `SearchSyntax`, and the ids a hash
lookup allows (None: any); emits `Matches`: one page of song ids, the total, the next cursor,
facet counts and, for typed words, each song's similarity. Unless the search asks for every
version, a song's versions make one match (its newest matching version), and totals, facets
and pages count those.
"""

from __future__ import annotations

from collections.abc import Collection

from shared.persistence.library_query import LibraryQuery
from shared.search.facets import facet_counts
from shared.search.groups import GroupedMatches
from shared.search.index import SongIndex
from shared.search.library_syntax import search_order
from shared.search.paging import page
from shared.search.protocol import Matches
from shared.search.syntax import SearchSyntax


def find_matches(index: SongIndex, query: LibraryQuery, syntax: SearchSyntax,
                 only_ids: Collection[str] | None = None) -> Matches:
    """One page of the songs matching `syntax`, their total and facet counts."""
    offset = 0 if query.cursor else query.offset
    mask, similarity = index.matching(syntax, only_ids=only_ids)
    grouped = None if syntax.versions == "all" else GroupedMatches(index, mask)
    shown = mask if grouped is None else grouped.representatives()
    found = page(index, shown, search_order(query, syntax), query.per_page, offset,
                 after=query.cursor, similarity=similarity)
    scores = {} if similarity is None or not syntax.words else {
        song_id: round(float(similarity[slot]), 3)
        for song_id, slot in zip(found.ids, found.slots, strict=True)}
    return Matches(found.total, found.ids, found.next_cursor,
                   facet_counts(index, mask, grouped=grouped), scores)
