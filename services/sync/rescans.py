"""Rescans asked of Syncthing in batches: the content paths that publishes changed are
collected, and each flush asks for one scan per shared folder, however many songs changed.

Publishing 20,000 songs then costs a rescan request per folder per flush, not one per song. A
crash between a publish and the next flush loses only the early rescan: Syncthing's own file
watcher and periodic full scan still find the change.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Protocol

from services.sync.sharing import ContentSharing


class RescanRequests(Protocol):
    """Where a consumer says which content paths it changed."""

    def changed(self, content_paths: Iterable[str | None]) -> None: ...


class BatchedRescans:
    """Collects changed content paths (`changed`, cheap, any thread) until `flush` asks
    Syncthing to rescan them all at once."""

    def __init__(self, sharing: ContentSharing) -> None:
        self._sharing = sharing
        self._pending: set[str] = set()
        self._lock = threading.Lock()

    def changed(self, content_paths: Iterable[str | None]) -> None:
        with self._lock:
            self._pending.update(path for path in content_paths if path)

    def flush(self) -> int:
        """Rescan everything collected since the last flush; how many paths that was."""
        with self._lock:
            paths, self._pending = self._pending, set()
        if paths:
            self._sharing.changed(sorted(paths))
        return len(paths)
