"""A rig's own songs folder: `<content>/rigs/<rig>/`, the song folders chosen for it as hard
links to the files of `<content>/songs/` (no byte is copied), shared as a Syncthing folder with
that rig alone.

Why not one folder with ignore patterns: Syncthing keeps a folder's ignore patterns in
`.stignore` at the folder's root, so two folders over the same path share one set of patterns,
and patterns that narrow one rig's folder would narrow everyone's
(`tests/integration/test_rig_selection.py` shows it on Syncthing 1.19).

Each song folder is linked under `.chhub/incoming/` and renamed into place, like a publish, so
a rig never syncs half of one. What is linked where is remembered in `.chhub/rigs/`.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Mapping
from pathlib import Path

RIGS_ROOT = "rigs"


def rig_key(device_id: str) -> str:
    """The short form Syncthing itself shows (the id's first group)."""
    return device_id.split("-", 1)[0].upper()


class RigMirror:
    def __init__(self, content_dir: Path, device_id: str) -> None:
        self._songs = content_dir / "songs"
        self.key = rig_key(device_id)
        self.root = content_dir / RIGS_ROOT / self.key
        self._state = content_dir / ".chhub" / "rigs" / f"{self.key}.json"
        self._incoming = content_dir / ".chhub" / "incoming"

    def linked(self) -> dict[str, str]:
        """song id → its folder inside the mirror, as linked last time."""
        return json.loads(self._state.read_text()) if self._state.exists() else {}

    def apply(self, wanted: Mapping[str, str]) -> set[str]:
        """Make the mirror hold exactly the `wanted` song folders (song id → folder relative to
        `songs/`) that exist; the folders that changed, relative to the mirror."""
        self.root.mkdir(parents=True, exist_ok=True)
        before, after, changed = self.linked(), {}, set()
        for song_id, sub in before.items():
            if wanted.get(song_id) != sub:
                self._remove(sub)
                changed.add(sub)
        for song_id, sub in wanted.items():
            if not (self._songs / sub).is_dir():
                continue  # not published yet: its song.published brings it
            if before.get(song_id) != sub or not self._current(sub):
                self._link(song_id, sub)
                changed.add(sub)
            after[song_id] = sub
        self._remember(after)
        return changed

    def _current(self, sub: str) -> bool:
        """The mirror's folder links the song folder's present files (a new revision at the
        same place has new files)."""
        return _inodes(self._songs / sub) == _inodes(self.root / sub)

    def _link(self, song_id: str, sub: str) -> None:
        source, target = self._songs / sub, self.root / sub
        incoming = self._incoming / f"rig-{self.key}-{song_id}"
        shutil.rmtree(incoming, ignore_errors=True)
        shutil.copytree(source, incoming, copy_function=os.link)
        self._remove(sub)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(incoming, target)

    def _remove(self, sub: str) -> None:
        target = self.root / sub
        if target.exists():
            doomed = self._incoming / f"trash-{uuid.uuid4().hex}"
            self._incoming.mkdir(parents=True, exist_ok=True)
            os.replace(target, doomed)
            shutil.rmtree(doomed, ignore_errors=True)
        parent = target.parent
        if parent != self.root and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()  # the artist folder it emptied

    def _remember(self, linked: dict[str, str]) -> None:
        self._state.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._state.with_suffix(".tmp")
        temporary.write_text(json.dumps(linked, sort_keys=True))
        os.replace(temporary, self._state)


def _inodes(folder: Path) -> dict[str, int] | None:
    if not folder.is_dir():
        return None
    return {str(p.relative_to(folder)): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}
