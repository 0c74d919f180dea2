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
import stat
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
        return self._state_read()[0]

    def apply(self, wanted: Mapping[str, str]) -> set[str]:
        """Make the mirror hold exactly the `wanted` song folders (song id → folder relative to
        `songs/`) that exist; the folders that changed, relative to the mirror."""
        self.root.mkdir(parents=True, exist_ok=True)
        (before, sources), after, linked_from, changed = self._state_read(), {}, {}, set()
        for song_id, sub in before.items():
            if wanted.get(song_id) != sub:
                self._remove(sub)
                changed.add(sub)
        for song_id, sub in wanted.items():
            source = _folder_version(self._songs / sub)
            if source is None:
                continue  # not published yet: its song.published brings it
            if before.get(song_id) != sub or not self._current(sub, source,
                                                               sources.get(song_id)):
                self._link(song_id, sub)
                changed.add(sub)
            after[song_id], linked_from[song_id] = sub, source
        self._remember(after, linked_from)
        return changed

    def _current(self, sub: str, source: list[int], linked_from: list[int] | None) -> bool:
        """The mirror's folder links the song folder's present files. A publish puts a new
        folder in place, so one stat of the song folder tells, once its version was noted;
        before that, the files' inodes are compared."""
        if linked_from is not None:
            return source == linked_from
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

    def _state_read(self) -> tuple[dict[str, str], dict[str, list[int]]]:
        """(song id → folder in the mirror, song id → version of the song folder it links)."""
        if not self._state.exists():
            return {}, {}
        state = json.loads(self._state.read_text())
        if "folders" not in state:  # written before versions were noted: folders alone
            return state, {}
        return state["folders"], state["sources"]

    def _remember(self, linked: dict[str, str], sources: dict[str, list[int]]) -> None:
        self._state.parent.mkdir(parents=True, exist_ok=True)
        temporary = self._state.with_suffix(".tmp")
        temporary.write_text(json.dumps({"folders": linked, "sources": sources},
                                        sort_keys=True))
        os.replace(temporary, self._state)


def _folder_version(folder: Path) -> list[int] | None:
    """What tells one published folder from the next at the same path: its inode and change
    time (a number alone may be reused once the old folder is gone); None when absent."""
    try:
        status = folder.stat()
    except FileNotFoundError:
        return None
    return [status.st_ino, status.st_ctime_ns] if stat.S_ISDIR(status.st_mode) else None


def _inodes(folder: Path) -> dict[str, int] | None:
    if not folder.is_dir():
        return None
    return {str(p.relative_to(folder)): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}
