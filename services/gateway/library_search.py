"""Library searches answered from the search index: which songs match, in what order, how
many per facet; the rows shown are then read from the catalog by id, so a song deleted a
moment ago never shows, and an edited one shows as it is now. Unless the search asks for every
version, a song's versions make one row (its newest matching version), and totals, facets and
pages count those rows.

Consumes a checked `LibraryQuery` with its `SearchSyntax`, the gateway's `SearchFeed`, its
`SongRows` (the page's rows, one prepared statement) and a catalog session (for hash lookups
only); emits `LibraryResults`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from shared.persistence.library_items import songs_with_hashes
from shared.persistence.library_query import LibraryQuery
from shared.persistence.library_rows import SongRows
from shared.search.facets import facet_counts
from shared.search.feed import SearchFeed
from shared.search.groups import GroupedMatches
from shared.search.library_syntax import search_order
from shared.search.paging import page
from shared.search.syntax import SearchSyntax


class SearchNotReady(Exception):
    """The index is still being loaded from the catalog (the database may be away)."""


@dataclass(frozen=True)
class LibraryResults:
    total: int
    items: list[dict[str, Any]]
    next_cursor: str | None
    facets: dict[str, dict[str, int]]


def search_library(session: Session, feed: SearchFeed, rows: SongRows, query: LibraryQuery,
                   syntax: SearchSyntax) -> LibraryResults:
    """One page of the songs matching `syntax`, their total and facet counts."""
    only_ids = songs_with_hashes(session, syntax.md5s, syntax.hashes)
    offset = 0 if query.cursor else query.offset
    with feed.reading() as index:
        mask, similarity = index.matching(syntax, only_ids=only_ids)
        grouped = None if syntax.versions == "all" else GroupedMatches(index, mask)
        shown = mask if grouped is None else grouped.representatives()
        found = page(index, shown, search_order(query, syntax), query.per_page, offset,
                     after=query.cursor, similarity=similarity)
        facets = facet_counts(index, mask, grouped=grouped)
        scores = {} if similarity is None or not syntax.words else {
            song_id: round(float(similarity[index.slot_of(song_id)]), 3)
            for song_id in found.ids}
    items = rows.read(found.ids)
    for item in items:
        if item["id"] in scores:
            item["similarity"] = scores[item["id"]]
    return LibraryResults(found.total, items, found.next_cursor, facets)
