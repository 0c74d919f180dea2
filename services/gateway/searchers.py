"""Where the gateway's library searches are answered: by the search service, over HTTP, when
`search_url` is set (the index in a process of its own, as `chhub run all` and the cluster
run it), else by an index the gateway keeps itself (one process, as `chhub run gateway` alone).

Consumes a checked `LibraryQuery` with its `SearchSyntax` and the ids a hash lookup allows;
emits `Matches`. Raises `SearchNotReady` while the index loads or the service is away (after
waiting a while), and `BadCursor` for a cursor the search did not hand out. Searchers block:
the gateway calls them from a worker thread, beside the read of the rows shown.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import TYPE_CHECKING, Any, Protocol

import msgspec
import urllib3

from shared.persistence.library_query import LibraryQuery
from shared.search.protocol import LOADING, BadCursor, Matches
from shared.search.syntax import SearchSyntax

if TYPE_CHECKING:
    from shared.search.feed import SearchFeed

# A search waits this long for the index's first load (or for the search service), then is
# told to come back (503): short enough that a client hears it before giving up.
LOAD_WAIT_SECONDS = 5.0
RETRY_EVERY_SECONDS = 0.25
AWAY = "The search service is not answering; try again shortly."


class SearchNotReady(Exception):
    """The index is still being loaded from the catalog, or the search service is away."""


class Searcher(Protocol):
    def start(self) -> None: ...

    def stop(self) -> None: ...

    def find(self, query: LibraryQuery, syntax: SearchSyntax,
             only_ids: Collection[str] | None) -> Matches: ...


class LocalSearch:
    """An index of the catalog inside the gateway, kept current by `feed`."""

    def __init__(self, feed: SearchFeed, wait_seconds: float = LOAD_WAIT_SECONDS) -> None:
        from shared.search.matches import MatchCache

        self.feed = feed
        self.wait_seconds = wait_seconds
        self.cache = MatchCache(megabytes=16)  # a gateway stays small

    def start(self) -> None:
        self.feed.start(timeout=0)  # loads in the background

    def stop(self) -> None:
        self.feed.stop()

    def find(self, query: LibraryQuery, syntax: SearchSyntax,
             only_ids: Collection[str] | None) -> Matches:
        from shared.search.matches import find_matches

        if not self.feed.wait(self.wait_seconds):
            raise SearchNotReady(LOADING)
        with self.feed.reading() as index:
            return find_matches(index, query, syntax, only_ids, self.cache)


class RemoteSearch:
    """The search service at `url`, over a pool of kept-alive connections (urllib3: thread-safe
    and light, where an asyncio client cost the gateway more CPU than the search itself)."""

    def __init__(self, url: str, wait_seconds: float = LOAD_WAIT_SECONDS,
                 timeout_seconds: float = 10.0, connections: int = 8) -> None:
        self.url = url
        self.wait_seconds = wait_seconds
        self._pool = urllib3.connection_from_url(
            url, maxsize=connections, retries=False,
            timeout=urllib3.Timeout(connect=2.0, read=timeout_seconds))

    def start(self) -> None:
        pass

    def stop(self) -> None:
        self._pool.close()

    def find(self, query: LibraryQuery, syntax: SearchSyntax,
             only_ids: Collection[str] | None) -> Matches:
        body = msgspec.json.encode({"params": query.to_params(),
                                    "only_ids": None if only_ids is None else sorted(only_ids)})
        deadline = time.monotonic() + self.wait_seconds
        while True:
            answer = self._ask(body)
            if isinstance(answer, Matches):
                return answer
            if time.monotonic() >= deadline:
                raise SearchNotReady(answer)
            time.sleep(RETRY_EVERY_SECONDS)

    def _ask(self, body: bytes) -> Matches | str:
        """The matches, or why there are none yet."""
        try:
            response = self._pool.urlopen("POST", "/matches", body=body,
                                          headers={"Content-Type": "application/json"})
        except urllib3.exceptions.HTTPError:
            return AWAY
        if response.status == 200:
            return Matches(**_decoded(response.data))
        if response.status == 400:
            raise BadCursor(_decoded(response.data)["detail"])
        return LOADING if response.status == 503 else AWAY


def _decoded(data: bytes) -> dict[str, Any]:
    return msgspec.json.decode(data)


def make_searcher(search_url: str | None, database_url: str) -> Searcher:
    """The search service at `search_url`, else an index of the gateway's own (numpy and the
    index are imported only then)."""
    if search_url:
        return RemoteSearch(search_url)
    from shared.search.feed import SearchFeed

    return LocalSearch(SearchFeed(database_url))
