"""The content folder's `custom/` part, laid out as Clone Hero's Custom folder: each file in
its kind's folder (`Backgrounds`, `Colors`, `Highways`).

A file is written under `.chhub/incoming/` and renamed into place, so a rig never syncs half
of it. Which file holds which item is remembered in `.chhub/custom/`; two items with the same
name keep both (the later one gets its id in its name). A deleted item never comes back.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Callable
from pathlib import Path

from shared.custom_content import FOLDERS

CUSTOM_ROOT = "custom"
WriteFile = Callable[[Path], None]


class CustomFolder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._state = root / ".chhub" / "custom"
        self._incoming = root / ".chhub" / "incoming"

    def published(self, content_id: uuid.UUID) -> str | None:
        """Where the item is, relative to the content root; None when not published."""
        state = self._state / f"{content_id}.json"
        if not state.exists():
            return None
        return json.loads(state.read_text()).get("path")

    def was_deleted(self, content_id: uuid.UUID) -> bool:
        state = self._state / f"{content_id}.json"
        return state.exists() and json.loads(state.read_text()).get("deleted", False)

    def publish(self, content_id: uuid.UUID, kind: str, filename: str,
                write_file: WriteFile) -> str:
        """Put the item's file in place and answer its path relative to the content root."""
        path = self.published(content_id) or self._free_path(content_id, kind, filename)
        target = self.root / path
        self._incoming.mkdir(parents=True, exist_ok=True)
        incoming = self._incoming / f"custom-{content_id}"
        write_file(incoming)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(incoming, target)
        self._remember(content_id, {"path": path})
        return path

    def unpublish(self, content_id: uuid.UUID) -> str | None:
        """Remove the item for good; the path it had, if any."""
        path = self.published(content_id)
        if path is not None:
            (self.root / path).unlink(missing_ok=True)
        self._remember(content_id, {"path": None, "deleted": True})
        return path

    def _free_path(self, content_id: uuid.UUID, kind: str, filename: str) -> str:
        folder = f"{CUSTOM_ROOT}/{FOLDERS[kind]}"
        path = f"{folder}/{filename}"
        if (self.root / path).exists():
            stem, dot, extension = filename.rpartition(".")
            path = f"{folder}/{stem}-{str(content_id)[:8]}{dot}{extension}"
        return path

    def _remember(self, content_id: uuid.UUID, state: dict) -> None:
        self._state.mkdir(parents=True, exist_ok=True)
        file = self._state / f"{content_id}.json"
        temporary = file.with_suffix(".tmp")
        temporary.write_text(json.dumps(state))
        os.replace(temporary, file)
