"""Library searches: which songs match comes from the gateway's `Searcher`; the rows shown
are then read from the catalog by id, so a song deleted a moment ago never shows, and an
edited one shows as it is now.

Consumes a checked `LibraryQuery` with its `SearchSyntax`, a `Searcher`, the gateway's
`SongRows` (the page's rows, one prepared statement) and its catalog sessions (for hash
lookups only); emits `LibraryResults`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio
from sqlalchemy.orm import Session, sessionmaker

from services.gateway.searchers import Searcher
from shared.persistence.library_items import songs_with_hashes
from shared.persistence.library_query import LibraryQuery
from shared.persistence.library_rows import SongRows
from shared.search.syntax import SearchSyntax


@dataclass(frozen=True)
class LibraryResults:
    total: int
    items: list[dict[str, Any]]
    next_cursor: str | None
    facets: dict[str, dict[str, int]]


async def search_library(searcher: Searcher, sessions: sessionmaker[Session], rows: SongRows,
                         query: LibraryQuery, syntax: SearchSyntax,
                         turns: anyio.CapacityLimiter | None = None) -> LibraryResults:
    """One page of the songs matching `syntax`, their total and facet counts; with `turns`,
    among the searches that hold one of its tokens."""

    def run() -> LibraryResults:  # one worker thread for the lookups, the search and the rows
        only_ids = None
        if syntax.md5s or syntax.hashes:
            with sessions() as session:
                only_ids = songs_with_hashes(session, syntax.md5s, syntax.hashes)
        found = searcher.find(query, syntax, only_ids)
        items = rows.read(found.ids) if found.ids else []
        for item in items:
            if item["id"] in found.scores:
                item["similarity"] = found.scores[item["id"]]
        return LibraryResults(found.total, items, found.next_cursor, found.facets)

    return await anyio.to_thread.run_sync(run, limiter=turns)
