"""Composition root of the search service: the library's search index, loaded from the
catalog and kept current from its change notifications, answering gateways' searches.

Consumes: `POST /matches` with a search's URL parameters (as `LibraryQuery.to_params()`
writes them) and the ids a hash lookup allows; emits `Matches` as JSON: one page of song
ids, the total, the next cursor, facet counts and similarities. The gateway reads the rows
shown from the catalog itself. `GET /health` answers 200 once the index is loaded (503
before). A search that is not understood answers 400 with what was not understood.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import anyio
from litestar import Litestar, Response, get, post
from litestar.status_codes import HTTP_400_BAD_REQUEST, HTTP_503_SERVICE_UNAVAILABLE

from services.search.settings import SearchServiceSettings
from shared.metrics import SEARCH_INDEX_SONGS, SEARCH_SECONDS
from shared.persistence.library_query import BadLibraryQuery, LibraryQuery
from shared.search.feed import SearchFeed
from shared.search.library_syntax import search_syntax
from shared.search.matches import MatchCache, find_matches
from shared.search.protocol import LOADING, BadCursor, Matches
from shared.search.syntax import BadSearchSyntax


@dataclass
class MatchRequest:
    params: dict[str, str]
    """The search as URL parameters."""
    only_ids: list[str] | None = None
    """The songs a hash lookup found; None: any song."""


def serve() -> None:
    """The search service in the foreground (`chhub run search`)."""
    import uvicorn

    settings = SearchServiceSettings()
    uvicorn.run(create_app(settings), host=settings.search_host, port=settings.search_port,
                log_level="warning", timeout_graceful_shutdown=5, ws="none")


def create_app(settings: SearchServiceSettings | None = None,
               feed: SearchFeed | None = None) -> Litestar:
    settings = settings or SearchServiceSettings()
    feed = feed or SearchFeed(settings.database_url)
    cache = MatchCache(settings.search_cache_mb)

    # Searches run on the event loop, one at a time: the index answers in milliseconds and
    # its lock would make threads take turns anyway.
    @post("/matches", status_code=200, sync_to_thread=False)
    def matches(data: MatchRequest) -> Response[Matches | dict[str, Any]]:
        if not feed.wait(0):
            return Response({"detail": LOADING}, status_code=HTTP_503_SERVICE_UNAVAILABLE)
        try:
            query = LibraryQuery.from_params(data.params)
            syntax = search_syntax(query)
            with SEARCH_SECONDS.time(), feed.reading() as index:
                found = find_matches(index, query, syntax, data.only_ids, cache)
                SEARCH_INDEX_SONGS.set(len(index))
        except (BadLibraryQuery, BadSearchSyntax, BadCursor) as error:
            return Response({"detail": str(error)}, status_code=HTTP_400_BAD_REQUEST)
        return Response(found)

    @get("/health", sync_to_thread=False)
    def health() -> Response[dict[str, Any]]:
        loaded = feed.wait(0)
        return Response({"ready": loaded, "rebuilds": feed.rebuilds},
                        status_code=200 if loaded else HTTP_503_SERVICE_UNAVAILABLE)

    async def start() -> None:
        feed.start(timeout=0)  # loads in the background; /health says when it is done

    async def stop() -> None:
        await anyio.to_thread.run_sync(feed.stop)

    return Litestar(route_handlers=[matches, health], on_startup=[start], on_shutdown=[stop],
                    openapi_config=None)
