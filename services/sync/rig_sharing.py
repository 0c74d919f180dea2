"""Carries a rig's selection out in Syncthing: a rig that takes every song shares the library's
songs folder; a rig with a selection gets its own send-only folder (`chhub-songs-<rig>`, see
`rig_mirror`) instead. Every rig shares the Custom and Setlists folders.

As with `sharing`, Syncthing trouble is logged, never raised: the mirror is right already, and
the next selection or song change sets Syncthing right again."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import structlog

from services.sync.rig_mirror import RIGS_ROOT, RigMirror, rig_key
from shared.syncthing import (
    CUSTOM_FOLDER,
    SETLISTS_FOLDER,
    SONGS_FOLDER,
    FolderSpec,
    SyncthingError,
    SyncthingPort,
)

log = structlog.get_logger(__name__)


def rig_folder_id(device_id: str) -> str:
    return f"{SONGS_FOLDER}-{rig_key(device_id).lower()}"


class RigSharing:
    def __init__(self, syncthing: SyncthingPort | None, content_dir: Path,
                 seen_as: Path | None = None) -> None:
        self._syncthing = syncthing
        self._content_dir = content_dir
        self._seen_as = seen_as or content_dir.resolve()

    def pair(self, device_id: str, name: str, addresses: tuple[str, ...]) -> None:
        """Introduce the rig to the library's Syncthing unless it knows it already."""
        if self._syncthing is None:
            return
        with self._told("pair", device_id) as syncthing:
            if all(d.device_id != device_id for d in syncthing.devices()):
                syncthing.add_device(device_id, name or device_id[:7], addresses)
            syncthing.share(CUSTOM_FOLDER, device_id)
            syncthing.share(SETLISTS_FOLDER, device_id)

    def take_everything(self, device_id: str) -> None:
        if self._syncthing is None:
            return
        with self._told("take_everything", device_id) as syncthing:
            syncthing.share(SONGS_FOLDER, device_id)
            if any(f.id == rig_folder_id(device_id) for f in syncthing.folders()):
                syncthing.unshare(rig_folder_id(device_id), device_id)

    def take_selection(self, device_id: str, wanted: Mapping[str, str]) -> None:
        """Mirror the `wanted` song folders (song id → folder inside songs/) for the rig and
        have its own folder rescanned where they changed, in one scan request."""
        mirror = RigMirror(self._content_dir, device_id)
        changed = mirror.apply(wanted)
        folder = rig_folder_id(device_id)
        spec = FolderSpec(folder, self._seen_as / RIGS_ROOT / mirror.key, "sendonly",
                          f"Clone Hero songs for {mirror.key}")
        if self._syncthing is None:
            return
        with self._told("take_selection", device_id) as syncthing:
            syncthing.ensure_folder(spec, devices=[device_id])
            syncthing.share(folder, device_id)
            syncthing.unshare(SONGS_FOLDER, device_id)
            syncthing.rescan_paths(folder, sorted(_scan_targets(mirror.root, changed)))

    @contextmanager
    def _told(self, action: str, device_id: str) -> Iterator[SyncthingPort]:
        assert self._syncthing is not None
        try:
            yield self._syncthing
        except SyncthingError as error:
            log.warning("syncthing.rig_failed", action=action, device=device_id,
                        error=str(error))


def _scan_targets(root: Path, changed: set[str]) -> set[str]:
    """A removed song may take its emptied artist folder with it: scan that folder then."""
    targets = set()
    for sub in changed:
        parent = sub.rsplit("/", 1)[0] if "/" in sub else ""
        targets.add(sub if not parent or (root / parent).is_dir() else parent)
    return targets
