"""Tells Syncthing what the sync service changed in the content folder, so rigs follow at once.

Syncthing trouble never fails a publish: the content folder is already right, and Syncthing's
file watcher and periodic full scan catch up on their own, only later. So errors are logged
and the next change tries again (re-creating the shared folders first, in case Syncthing
started after us or lost its config).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import structlog

from services.sync.syncthing import (
    CONTENT_ROOTS,
    SyncthingError,
    SyncthingPort,
    content_folders,
    folder_of,
)

log = structlog.get_logger(__name__)


class ContentSharing:
    def __init__(self, syncthing: SyncthingPort, content_dir: Path,
                 seen_as: Path | None = None) -> None:
        self._syncthing = syncthing
        self._content_dir = content_dir
        self._folders = content_folders(seen_as or content_dir.resolve())
        self._ready = False

    @property
    def syncthing(self) -> SyncthingPort:
        return self._syncthing

    def ensure_folders(self) -> bool:
        """Create the shared folders unless they exist; False (logged) when Syncthing fails."""
        for root in CONTENT_ROOTS:
            (self._content_dir / root).mkdir(parents=True, exist_ok=True)
        try:
            for spec in self._folders:
                if self._syncthing.ensure_folder(spec):
                    log.info("syncthing.folder_created", folder=spec.id, path=str(spec.path))
        except SyncthingError as error:
            log.warning("syncthing.unavailable", error=str(error))
            return False
        self._ready = True
        return True

    def changed(self, content_paths: Iterable[str | None]) -> None:
        """Ask for a rescan of each changed song folder (paths relative to the content root)."""
        if not self._ready and not self.ensure_folders():
            return
        for folder_id, sub in sorted(self._scan_targets(content_paths)):
            try:
                self._syncthing.rescan(folder_id, sub)
            except SyncthingError as error:
                self._ready = False
                log.warning("syncthing.rescan_failed", folder=folder_id, sub=sub,
                            error=str(error))

    def _scan_targets(self, content_paths: Iterable[str | None]) -> set[tuple[str, str]]:
        targets = set()
        for path in filter(None, content_paths):
            try:
                targets.add(self._scan_target(path))
            except ValueError:
                log.warning("syncthing.not_shared", content_path=path)
        return targets

    def _scan_target(self, content_path: str) -> tuple[str, str]:
        """A removed song may take its emptied artist folder with it; scanning only the song's
        folder would leave that empty folder on every rig, so scan the artist folder then."""
        folder_id, sub = folder_of(content_path)
        parent = content_path.rsplit("/", 1)[0]
        if "/" in sub and not (self._content_dir / parent).is_dir():
            sub = sub.rsplit("/", 1)[0]
        return folder_id, sub
