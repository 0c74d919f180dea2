"""Library searches take turns in the gateway: at most `searches_at_once` run at once, and the
rest wait."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from services.gateway.library_search import search_library
from shared.persistence.library_query import LibraryQuery
from shared.search.library_syntax import search_syntax
from shared.search.protocol import Matches

pytestmark = pytest.mark.unit


class SlowSearcher:
    """A `Searcher` that takes a while and counts how many searches it holds at once."""

    def __init__(self) -> None:
        self.running = self.most = 0
        self.started: list[int] = []
        self._lock = threading.Lock()

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def find(self, query, syntax, only_ids) -> Matches:
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
            self.started.append(query.page)
        time.sleep(0.05)
        with self._lock:
            self.running -= 1
        return Matches(0, [], None, {})


def test_no_more_searches_run_at_once_than_the_turns_allow():
    searcher = SlowSearcher()

    async def main() -> None:
        turns = anyio.CapacityLimiter(2)
        async with anyio.create_task_group() as group:
            for page in range(1, 9):
                query = LibraryQuery.from_params({"q": "love", "page": str(page)})
                group.start_soon(search_library, searcher, None, None, query,
                                 search_syntax(query), turns)

    anyio.run(main)
    assert searcher.most == 2
    assert sorted(searcher.started) == list(range(1, 9))
