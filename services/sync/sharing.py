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

from shared.syncthing import (
    CONTENT_ROOTS,
    CUSTOM_FOLDER,
    SETLISTS_FOLDER,
    SyncthingError,
    SyncthingPort,
    content_folders,
    folder_of,
)

log = structlog.get_logger(__name__)

EVERY_RIG_FOLDERS = (CUSTOM_FOLDER, SETLISTS_FOLDER)
"""Folders every paired rig receives, whatever songs it takes."""
SCAN_PATHS_PER_REQUEST = 200  # keeps each request's URL well under servers' length limits


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
            self._share_with_every_rig()
        except SyncthingError as error:
            log.warning("syncthing.unavailable", error=str(error))
            return False
        self._ready = True
        return True

    def _share_with_every_rig(self) -> None:
        """Every paired rig receives the folders each rig shares (Custom and Setlists), also
        the ones added since it was paired."""
        me = self._syncthing.my_id()
        sharing = {folder: set(self._syncthing.shared_with(folder)) - {me}
                   for folder in EVERY_RIG_FOLDERS}
        rigs = set().union(*sharing.values())
        for folder, devices in sharing.items():
            for rig in sorted(rigs - devices):
                self._syncthing.share(folder, rig)
                log.info("syncthing.folder_shared", folder=folder, device=rig)

    def changed(self, content_paths: Iterable[str | None]) -> None:
        """Ask for a rescan of each changed song folder (paths relative to the content root):
        one request per shared folder, each naming at most `SCAN_PATHS_PER_REQUEST` paths."""
        if not self._ready and not self.ensure_folders():
            return
        by_folder: dict[str, list[str]] = {}
        for folder_id, sub in sorted(self._scan_targets(content_paths)):
            by_folder.setdefault(folder_id, []).append(sub)
        for folder_id, subs in by_folder.items():
            for start in range(0, len(subs), SCAN_PATHS_PER_REQUEST):
                batch = subs[start:start + SCAN_PATHS_PER_REQUEST]
                try:
                    self._syncthing.rescan_paths(folder_id, batch)
                except SyncthingError as error:
                    self._ready = False
                    log.warning("syncthing.rescan_failed", folder=folder_id, paths=len(batch),
                                first=batch[0], error=str(error))

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
