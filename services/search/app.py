"""Composition root of the search service: the library's search index, loaded from the
catalog and kept current from its change notifications, answering gateways' searches.

Consumes: `POST /matches` with a search's URL parameters (as `LibraryQuery.to_params()`
writes them) and the ids a hash lookup allows; emits `Matches` as JSON: one page of song
ids, the total, the next cursor, facet counts and similarities. The gateway reads the rows
shown from the catalog itself. `GET /health` answers 200 once the index is loaded (503
before). A search that is not understood answers 400 with what was not understood.
"""

from __future__ import annotations

from typing import Any

import anyio
import msgspec
from litestar import Litestar, Response, asgi, get
from litestar.status_codes import (
    HTTP_200_OK,
    HTTP_400_BAD_REQUEST,
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_503_SERVICE_UNAVAILABLE,
)
from litestar.types import Receive, Scope, Send

from services.search.settings import SearchServiceSettings
from shared.metrics import SEARCH_INDEX_SONGS, SEARCH_SECONDS
from shared.persistence.library_query import BadLibraryQuery, LibraryQuery
from shared.search.feed import SearchFeed
from shared.search.library_syntax import search_syntax
from shared.search.matches import MatchCache, find_matches
from shared.search.protocol import LOADING, BadCursor, Matches
from shared.search.syntax import BadSearchSyntax


class MatchRequest(msgspec.Struct, frozen=True):
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

    def answer(body: bytes) -> tuple[int, Matches | dict[str, str]]:
        if not feed.wait(0):
            return HTTP_503_SERVICE_UNAVAILABLE, {"detail": LOADING}
        try:
            request = msgspec.json.decode(body, type=MatchRequest)
            query = LibraryQuery.from_params(request.params)
            syntax = search_syntax(query)
            with SEARCH_SECONDS.time(), feed.reading() as index:
                found = find_matches(index, query, syntax, request.only_ids, cache)
                SEARCH_INDEX_SONGS.set(len(index))
        except msgspec.DecodeError as error:
            return HTTP_400_BAD_REQUEST, {"detail": f"Not a search request: {error}"}
        except (BadLibraryQuery, BadSearchSyntax, BadCursor) as error:
            return HTTP_400_BAD_REQUEST, {"detail": str(error)}
        return HTTP_200_OK, found

    # A plain ASGI handler: the body is decoded and the answer encoded by msgspec directly,
    # without Litestar's request parsing and response building (a third of the service's
    # CPU per search). Searches run on the event loop, one at a time: the index answers in
    # milliseconds and its lock would make threads take turns anyway.
    @asgi("/matches")
    async def matches(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] != "POST":
            status, reply = HTTP_405_METHOD_NOT_ALLOWED, {"detail": "POST a search request."}
        else:
            status, reply = answer(await _body(receive))
        encoded = msgspec.json.encode(reply)
        await send({"type": "http.response.start", "status": status, "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(encoded)).encode())]})
        await send({"type": "http.response.body", "body": encoded})

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


async def _body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)
