"""The backup folder: blobs and manifests kept once for every snapshot, and one folder per
snapshot with its database dump, the objects it needs and its settings files.

    DEST/blobs/ab/<sha256>                  every file of every song and custom item, by content
    DEST/manifests/<song id>/<revision>.json
    DEST/snapshots/<UTC time>/catalog.dump  pg_dump, custom format
                             objects.json   the manifests and blobs this snapshot needs
                             settings/      the admin token file and settings.json
                             snapshot.json  written last: a snapshot without it is unfinished

A snapshot is assembled under a hidden name and renamed into place once complete, so an
interrupted backup never leaves a snapshot that a restore would pick.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

DUMP = "catalog.dump"
OBJECTS = "objects.json"
SETTINGS = "settings"
SUMMARY = "snapshot.json"
ADMIN_TOKEN = "admin-token"


@dataclass(frozen=True)
class Needed:
    """What one snapshot needs from the object store."""

    manifests: tuple[str, ...]
    blobs: tuple[str, ...]


class BackupFolder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.blobs = root / "blobs"
        self.manifests = root / "manifests"
        self.snapshots = root / "snapshots"

    def blob(self, sha256: str) -> Path:
        return self.blobs / sha256[:2] / sha256

    def manifest(self, key: str) -> Path:
        """The local copy of a songs-bucket manifest key (`manifests/<id>/<revision>.json`)."""
        relative = Path(key).relative_to("manifests")
        if ".." in relative.parts:
            raise ValueError(f"{key!r} is not a manifest key")
        return self.manifests / relative

    def start_snapshot(self, now: datetime | None = None) -> tuple[str, Path]:
        """A new snapshot's name and the hidden folder it is assembled in."""
        stamp = (now or datetime.now(UTC)).strftime("%Y-%m-%dT%H%M%SZ")
        name, counter = stamp, 1
        while (self.snapshots / name).exists() or (self.snapshots / f".{name}").exists():
            counter += 1
            name = f"{stamp}-{counter}"
        staging = self.snapshots / f".{name}"
        # The dump holds password and token hashes, the settings the admin token itself.
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        (staging / SETTINGS).mkdir(parents=True, mode=0o700)
        return name, staging

    def finish_snapshot(self, name: str, staging: Path, summary: dict) -> Path:
        write_atomically(staging / SUMMARY, json.dumps(summary, indent=2).encode())
        final = self.snapshots / name
        os.replace(staging, final)
        return final

    def finished(self) -> list[str]:
        """The complete snapshots' names, oldest first."""
        if not self.snapshots.is_dir():
            return []
        return sorted(p.name for p in self.snapshots.iterdir()
                      if not p.name.startswith(".") and (p / SUMMARY).is_file())

    def snapshot(self, name: str | None = None) -> Path:
        """A complete snapshot's folder: the named one, or the newest."""
        names = self.finished()
        if name is None:
            if not names:
                raise FileNotFoundError(f"{self.root} holds no complete backup snapshot")
            name = names[-1]
        if name not in names:
            raise FileNotFoundError(f"{self.root} holds no complete snapshot named {name}")
        return self.snapshots / name


def write_needed(path: Path, needed: Needed) -> None:
    write_atomically(path, json.dumps({"manifests": list(needed.manifests),
                                       "blobs": list(needed.blobs)}, indent=1).encode())


def read_needed(path: Path) -> Needed:
    data = json.loads(path.read_text())
    return Needed(tuple(data["manifests"]), tuple(data["blobs"]))


def write_atomically(path: Path, data: bytes, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    temporary.unlink(missing_ok=True)
    with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode), "wb") as file:
        file.write(data)
    os.replace(temporary, path)
