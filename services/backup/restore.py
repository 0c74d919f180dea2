"""Restoring a snapshot onto a fresh hub: its manifests and blobs into the songs bucket, its
dump into an empty database, its admin token file back in place; then the hub is made ready
(migrations, buckets, queues) and its content folder rebuilt from the restored catalog."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.backup import database
from services.backup.layout import DUMP, OBJECTS, SETTINGS, BackupFolder, read_needed
from services.backup.objects import Copied, put_objects
from shared.storage import ObjectStore


class NotEmpty(RuntimeError):
    """The target database already holds tables: a restore never overwrites a library."""


@dataclass(frozen=True)
class Hub:
    """The hub a snapshot is restored onto, and what the catalog and sync services lend it."""

    url: str
    store: ObjectStore
    bucket: str
    create_database: Callable[[str], Any]
    prepare: Callable[[], Any]
    """Migrations, buckets, queues and the admin token, as `chhub setup` makes them."""
    end_unfinished: Callable[[], int]
    """Fail the uploads the snapshot caught in progress; how many."""
    rebuild: Callable[[], Any]
    """The content folder written from the restored catalog; returns what it wrote."""


@dataclass(frozen=True)
class Restored:
    snapshot: Path
    manifests: Copied
    blobs: Copied
    settings_restored: tuple[str, ...]
    settings_kept: tuple[str, ...]
    uploads_ended: int
    rebuilt: Any


def restore_backup(folder: BackupFolder, hub: Hub, settings_files: dict[str, Path],
                   snapshot_name: str | None = None) -> Restored:
    """Bring `snapshot_name` (the newest when None) back; refuses a database with tables."""
    snapshot = folder.snapshot(snapshot_name)
    hub.create_database(hub.url)
    if not database.is_empty(hub.url):
        raise NotEmpty("the database already holds tables; restore into an empty one "
                       "(a new database name, or drop this one first)")
    needed = read_needed(snapshot / OBJECTS)
    hub.store.ensure_bucket(hub.bucket)
    # Objects first: a restored catalog never names an object the bucket lacks.
    manifests, blobs = put_objects(hub.store, hub.bucket, folder, needed.manifests,
                                   needed.blobs)
    database.load(hub.url, snapshot / DUMP)
    restored, kept = _settings_back(snapshot / SETTINGS, settings_files)
    hub.prepare()
    ended = hub.end_unfinished()
    return Restored(snapshot, manifests, blobs, restored, kept, ended, hub.rebuild())


def _settings_back(saved: Path, files: dict[str, Path]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Put each saved settings file where this hub reads it, unless one is there already."""
    restored, kept = [], []
    for name, path in files.items():
        if not (saved / name).is_file():
            continue
        if path.exists():
            kept.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes((saved / name).read_bytes())
        path.chmod(0o600)
        restored.append(name)
    return tuple(restored), tuple(kept)
