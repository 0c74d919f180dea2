"""Keeps every rig's songs in step with the catalog, one change at a time.

A selection change is carried out at once. A published or deleted song only marks the rigs
stale: one refresh of every rig with a selection follows a burst of them, once song changes
pause for `quiet_seconds` (and never later than `max_delay_seconds` after the first), so a
pack of 500 songs costs a few refreshes, not 500 searches and 500 rounds of Syncthing calls.

Selection changes and refreshes never overlap (one lock): a refresh that read the selections
just before a new one was saved, or a selection that looked for a song folder just before it
was published, would otherwise leave the rig without the song until the next change.

A refresh is worked out from the catalog and the content folder alone, so the song events that
ask for one are acknowledged before it runs; the refresh at start covers a crash in between.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import anyio
import structlog

from services.sync.rig_selections import Selection
from services.sync.rig_sharing import RigSharing
from shared.events import RigSelectionChanged

log = structlog.get_logger(__name__)

QUIET_SECONDS = 1.0
MAX_DELAY_SECONDS = 10.0
RETRY_SECONDS = 5.0


class RigCatalog(Protocol):
    """The rig selections and the song folders they stand for."""

    def save(self, event: RigSelectionChanged) -> Selection: ...
    def narrowed(self) -> list[Selection]: ...
    def wanted_folders(self, selection: Selection) -> dict[str, str]: ...


@dataclass
class Staleness:
    """Song changes not refreshed yet: when the first and the latest came, and the songs
    deleted meanwhile (the catalog may still list them)."""

    first: float
    latest: float
    gone: set[str] = field(default_factory=set)

    def due_in(self, now: float, quiet: float, max_delay: float) -> float:
        """Seconds until the refresh is due: after a pause, or at the latest deadline."""
        return max(0.0, min(self.latest + quiet, self.first + max_delay) - now)

    def merge(self, older: Staleness) -> None:
        self.first = min(self.first, older.first)
        self.gone |= older.gone


class RigFollower:
    def __init__(self, catalog: RigCatalog, rigs: RigSharing, *,
                 quiet_seconds: float = QUIET_SECONDS,
                 max_delay_seconds: float = MAX_DELAY_SECONDS,
                 retry_seconds: float = RETRY_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._catalog = catalog
        self._rigs = rigs
        self._quiet = quiet_seconds
        self._max_delay = max_delay_seconds
        self._retry = retry_seconds
        self._clock = clock
        self._one_at_a_time = asyncio.Lock()
        self._stale: Staleness | None = None
        self._wake = asyncio.Event()
        self._refreshing = False

    @property
    def settled(self) -> bool:
        """No song change waits for a refresh and none runs."""
        return self._stale is None and not self._refreshing

    async def change_selection(self, event: RigSelectionChanged) -> None:
        async with self._one_at_a_time:
            await anyio.to_thread.run_sync(self._change, event)

    def song_changed(self, gone: str | None = None) -> None:
        """Mark every narrowed rig stale; `gone` is a deleted song's id."""
        now = self._clock()
        if self._stale is None:
            self._stale = Staleness(now, now)
        self._stale.latest = now
        if gone is not None:
            self._stale.gone.add(gone)
        self._wake.set()

    async def run(self) -> None:
        """Refresh now (catching up on what a restart missed), then after each burst of song
        changes, until cancelled."""
        self.song_changed()
        while True:
            await self._wake.wait()
            while self._stale is not None and (delay := self._stale.due_in(
                    self._clock(), self._quiet, self._max_delay)) > 0:
                await asyncio.sleep(delay)
            self._wake.clear()
            stale, self._stale = self._stale, None
            if stale is None:
                continue
            if not await self._refresh(stale):
                self._put_back(stale)
                await asyncio.sleep(self._retry)

    async def _refresh(self, stale: Staleness) -> bool:
        self._refreshing = True
        try:
            async with self._one_at_a_time:
                await anyio.to_thread.run_sync(self._refresh_all, frozenset(stale.gone))
            return True
        except Exception as error:
            log.warning("rigs.refresh_failed", error=str(error), retry_s=self._retry)
            return False
        finally:
            self._refreshing = False

    def _put_back(self, stale: Staleness) -> None:
        if self._stale is not None:
            self._stale.merge(stale)
        else:
            self._stale = stale
        self._wake.set()

    def _change(self, event: RigSelectionChanged) -> None:
        selection = self._catalog.save(event)
        self._rigs.pair(event.device_id, event.name, event.addresses)
        if selection.everything:
            self._rigs.take_everything(event.device_id)
        else:
            self._take(selection, frozenset())

    def _refresh_all(self, gone: frozenset[str]) -> None:
        for selection in self._catalog.narrowed():
            self._take(selection, gone)

    def _take(self, selection: Selection, gone: frozenset[str]) -> None:
        wanted = self._catalog.wanted_folders(selection)
        self._rigs.take_selection(selection.device_id,
                                  {song: sub for song, sub in wanted.items() if song not in gone})
