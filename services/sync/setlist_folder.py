"""The content folder's `setlists/` part, laid out as Clone Hero's Setlists folder reads it: one
`<name>.setlist` file per setlist of the library (see `shared.songs.setlist`).

The folder is rewritten whole from the setlists it should hold: a file whose bytes are the same
is left alone, a changed one is written under `.chhub/incoming/` and renamed into place (a rig
never syncs half of it), and a `.setlist` no setlist names any more is removed. Two setlists
with the same name keep both (the later ones get a number).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Sequence
from pathlib import Path

SETLISTS_ROOT = "setlists"
SUFFIX = ".setlist"
_UNSAFE = re.compile(r'[\x00-\x1f<>:"/\\|?*]+')
MAX_NAME = 120


def file_stem(name: str) -> str:
    """A setlist's name as a file name every rig's file system takes."""
    stem = _UNSAFE.sub(" ", name).strip().strip(".").strip()[:MAX_NAME].strip()
    return stem or "Setlist"


def file_names(setlists: Sequence[tuple[uuid.UUID, str]]) -> dict[uuid.UUID, str]:
    """setlist id → its file name, unique ignoring case, in the order given."""
    taken: set[str] = set()
    names = {}
    for setlist_id, name in setlists:
        stem, number = file_stem(name), 1
        candidate = f"{stem}{SUFFIX}"
        while candidate.lower() in taken:
            number += 1
            candidate = f"{stem} ({number}){SUFFIX}"
        taken.add(candidate.lower())
        names[setlist_id] = candidate
    return names


class SetlistFolder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.folder = root / SETLISTS_ROOT
        self._incoming = root / ".chhub" / "incoming"

    def files(self) -> dict[str, bytes]:
        if not self.folder.is_dir():
            return {}
        return {p.name: p.read_bytes() for p in self.folder.iterdir()
                if p.is_file() and p.name.endswith(SUFFIX)}

    def rewrite(self, wanted: dict[str, bytes]) -> list[str]:
        """Make the folder's `.setlist` files exactly `wanted` (file name → bytes); the paths
        (relative to the content root) that changed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._incoming.mkdir(parents=True, exist_ok=True)
        present = self.files()
        changed = []
        for name, data in sorted(wanted.items()):
            if present.get(name) == data:
                continue
            incoming = self._incoming / f"setlist-{uuid.uuid4().hex}"
            incoming.write_bytes(data)
            os.replace(incoming, self.folder / name)
            changed.append(f"{SETLISTS_ROOT}/{name}")
        for name in sorted(set(present) - set(wanted)):
            (self.folder / name).unlink(missing_ok=True)
            changed.append(f"{SETLISTS_ROOT}/{name}")
        return changed
