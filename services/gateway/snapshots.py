"""Figures that are costly to read (queue depths, library totals), kept as a snapshot that a
page view reads at once and that is read again in the background once it is older than its
maximum age; nothing is read while no one looks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

import structlog

T = TypeVar("T")
log = structlog.get_logger()


class Snapshot(Generic[T]):
    """The last value `load` gave; only the first reader waits for it."""

    def __init__(self, load: Callable[[], Awaitable[T]], max_age: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._load = load
        self._max_age = max_age
        self._clock = clock
        self._value: T | None = None
        self._taken_at: float | None = None
        self._refresh: asyncio.Task[None] | None = None

    async def get(self) -> T:
        if self._taken_at is None:
            await self._start_refresh()
        elif self._clock() - self._taken_at > self._max_age:
            self._start_refresh()  # the reader keeps the previous value meanwhile
        return self._value  # type: ignore[return-value]

    def _start_refresh(self) -> asyncio.Task[None]:
        if self._refresh is None or self._refresh.done():
            self._refresh = asyncio.create_task(self._take())
            self._refresh.add_done_callback(_note_failure)
        return self._refresh

    async def _take(self) -> None:
        value = await self._load()
        self._value, self._taken_at = value, self._clock()

    async def close(self) -> None:
        if self._refresh is not None and not self._refresh.done():
            self._refresh.cancel()
            await asyncio.gather(self._refresh, return_exceptions=True)


def _note_failure(task: asyncio.Task[None]) -> None:
    """A failed background read keeps the previous value; the next reader tries again."""
    if not task.cancelled() and task.exception() is not None:
        log.warning("snapshot_refresh_failed", error=str(task.exception()))
