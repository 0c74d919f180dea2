"""The content folder's `custom/` part, laid out as Clone Hero's Custom folder reads it (see
`shared.custom_content.custom_path`): image and video backgrounds, image highways, a video
highway as `Video Highways/<name>/highway.webm`, color profiles in `Colors`.

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

from shared.custom_content import custom_path

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
        """Put the item's file in place and answer its path relative to the content root.
        An item published where an older layout put it moves to where Clone Hero reads it."""
        before = self.published(content_id)
        path = before if before in _places(content_id, kind, filename) else (
            self._free_path(content_id, kind, filename))
        self._write(content_id, path, write_file)
        if before not in (None, path):
            self._remove(before)
        return path

    def place(self, content_id: uuid.UUID, path: str, write_file: WriteFile) -> bool:
        """Put the item's file at `path`, where it was published before (a restored library);
        False when it is there already."""
        if not path.startswith(f"{CUSTOM_ROOT}/") or ".." in path.split("/"):
            raise ValueError(f"{path!r} is not a place inside the Custom folder")
        if self.published(content_id) == path and (self.root / path).is_file():
            return False
        self._write(content_id, path, write_file)
        return True

    def _write(self, content_id: uuid.UUID, path: str, write_file: WriteFile) -> None:
        target = self.root / path
        self._incoming.mkdir(parents=True, exist_ok=True)
        incoming = self._incoming / f"custom-{content_id}"
        write_file(incoming)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(incoming, target)
        self._remember(content_id, {"path": path})

    def unpublish(self, content_id: uuid.UUID) -> str | None:
        """Remove the item for good; the path it had, if any."""
        path = self.published(content_id)
        if path is not None:
            self._remove(path)
        self._remember(content_id, {"path": None, "deleted": True})
        return path

    def _remove(self, path: str) -> None:
        """Remove the file, and a video highway's own folder once it is empty."""
        target = self.root / path
        target.unlink(missing_ok=True)
        parent, kinds_folder = target.parent, self.root / CUSTOM_ROOT / path.split("/")[1]
        if parent.parent == kinds_folder and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()

    def _free_path(self, content_id: uuid.UUID, kind: str, filename: str) -> str:
        plain, tagged = _places(content_id, kind, filename)
        return tagged if (self.root / plain).exists() else plain

    def _remember(self, content_id: uuid.UUID, state: dict) -> None:
        self._state.mkdir(parents=True, exist_ok=True)
        file = self._state / f"{content_id}.json"
        temporary = file.with_suffix(".tmp")
        temporary.write_text(json.dumps(state))
        os.replace(temporary, file)


def _places(content_id: uuid.UUID, kind: str, filename: str) -> tuple[str, str]:
    """The item's path relative to the content root: its own name, or, when another item
    holds that name, its name tagged with its id."""
    return (f"{CUSTOM_ROOT}/{custom_path(kind, filename)}",
            f"{CUSTOM_ROOT}/{custom_path(kind, filename, str(content_id)[:8])}")
