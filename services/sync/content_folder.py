"""The content folder, laid out as Clone Hero reads it; the sync service alone writes it.

A song revision is written into `.chhub/incoming/` and then switched into place, so a rig
never syncs a half-written song; the previous revision's folder is removed once the new one
is complete. What is published where is remembered in `.chhub/published/`, outside the
folders Syncthing shares.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from shared.manifest import Manifest, ManifestFile

WriteFile = Callable[[ManifestFile, Path], None]


@dataclass(frozen=True)
class Published:
    song_id: uuid.UUID
    revision: int
    path: str


class ContentFolder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._state = root / ".chhub" / "published"
        self._incoming = root / ".chhub" / "incoming"
        self._trash = root / ".chhub" / "trash"
        self._deleted = root / ".chhub" / "deleted"

    def published(self, song_id: uuid.UUID) -> Published | None:
        state = self._state / f"{song_id}.json"
        if not state.exists():
            return None
        data = json.loads(state.read_text())
        return Published(song_id, data["revision"], data["path"])

    def publish(self, manifest: Manifest, path: str, write_file: WriteFile,
                previous_path: str | None = None) -> bool:
        """Put `manifest`'s files at `path`; False when that revision is already there."""
        current = self.published(manifest.song_id)
        target = self._inside(path)
        if current == Published(manifest.song_id, manifest.revision, path) and target.is_dir():
            return False
        incoming = self._incoming / f"{manifest.song_id}-{manifest.revision}"
        shutil.rmtree(incoming, ignore_errors=True)
        incoming.mkdir(parents=True)
        for entry in manifest.files:
            destination = incoming / entry.name
            destination.parent.mkdir(parents=True, exist_ok=True)
            write_file(entry, destination)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._discard(target)
        os.replace(incoming, target)
        for old in {previous_path, current.path if current else None} - {None, path}:
            self.remove(old)
        self._remember(Published(manifest.song_id, manifest.revision, path))
        return True

    def unpublish(self, song_id: uuid.UUID, path: str | None) -> None:
        """Remove a deleted song for good: a later publish of it is refused."""
        self._deleted.mkdir(parents=True, exist_ok=True)
        (self._deleted / str(song_id)).touch()
        current = self.published(song_id)
        for old in {path, current.path if current else None} - {None}:
            self.remove(old)
        (self._state / f"{song_id}.json").unlink(missing_ok=True)

    def was_deleted(self, song_id: uuid.UUID) -> bool:
        return (self._deleted / str(song_id)).exists()

    def remove(self, path: str) -> None:
        """Remove a song folder and the artist folder it leaves empty."""
        target = self._inside(path)
        self._discard(target)
        parent = target.parent
        if parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()

    def _discard(self, target: Path) -> None:
        if target.exists():
            self._trash.mkdir(parents=True, exist_ok=True)
            doomed = self._trash / uuid.uuid4().hex
            os.replace(target, doomed)
            shutil.rmtree(doomed, ignore_errors=True)

    def _remember(self, published: Published) -> None:
        self._state.mkdir(parents=True, exist_ok=True)
        state = self._state / f"{published.song_id}.json"
        temporary = state.with_suffix(".tmp")
        temporary.write_text(json.dumps({"revision": published.revision, "path": published.path}))
        os.replace(temporary, state)

    def _inside(self, path: str) -> Path:
        target = (self.root / path).resolve()
        if not target.is_relative_to(self.root.resolve()) or target == self.root.resolve():
            raise ValueError(f"{path!r} is not a folder inside the content folder")
        return target
