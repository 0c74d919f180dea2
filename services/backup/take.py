"""Taking a backup while the hub runs: the database first, as one snapshot, then the manifests
and blobs that snapshot refers to (blobs are immutable and named by content, so what is
written after the snapshot does not matter, and what an earlier backup copied is not copied
again)."""

from __future__ import annotations

import json
import re
import shutil
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session

from services.backup import database
from services.backup.layout import (
    DUMP,
    OBJECTS,
    SETTINGS,
    BackupFolder,
    Needed,
    write_atomically,
    write_needed,
)
from services.backup.objects import (
    Copied,
    MissingObjects,
    blobs_of,
    save_blobs,
    save_manifests,
)
from shared.storage import ObjectStore

ATTEMPTS = 3
_MANIFEST = re.compile(r"^manifests/([0-9a-f-]{36})/(\d+)\.json$")


class SongRow(Protocol):
    """A song of the catalog, as the backup reads it."""

    song_id: uuid.UUID
    revision: int
    manifest_key: str
    file_path: str


class CustomRow(Protocol):
    """A stored custom item of the catalog; `content_path` is None while it is unpublished."""

    content_id: uuid.UUID
    sha256: str
    content_path: str | None


Referenced = Callable[[Session], tuple[Sequence[SongRow], Sequence[CustomRow]]]


@dataclass(frozen=True)
class Taken:
    snapshot: Path
    songs: int
    custom: int
    manifests: Copied
    blobs: Copied
    dump_bytes: int


def take_backup(url: str, store: ObjectStore, bucket: str, folder: BackupFolder,
                referenced: Referenced, settings_files: dict[str, Path],
                settings: dict) -> Taken:
    """One snapshot in `folder`: the database dump, every manifest and blob it refers to,
    `settings_files` that exist (name → file) and the `settings` worth keeping on record."""
    name, staging = folder.start_snapshot()
    try:
        for attempt in range(1, ATTEMPTS + 1):
            with database.exported_snapshot(url) as (snapshot, session):
                songs, custom = referenced(session)
                database.dump(url, snapshot, staging / DUMP)
            try:
                keys = _manifest_keys(store, bucket, songs)
                manifests = save_manifests(store, bucket, folder, keys)
                digests = sorted(blobs_of(folder, keys) | {row.sha256 for row in custom})
                blobs = save_blobs(store, bucket, folder, digests)
                break
            except MissingObjects:
                # A song deleted after the snapshot loses its manifests (and, once collected,
                # the blobs no one else shares): a newer snapshot no longer needs them, and
                # what was copied already stays.
                if attempt == ATTEMPTS:
                    raise
        write_needed(staging / OBJECTS, Needed(tuple(keys), tuple(digests)))
        _keep_settings(staging / SETTINGS, settings_files, settings)
        dump_bytes = (staging / DUMP).stat().st_size
        final = folder.finish_snapshot(name, staging, {
            "taken_at": datetime.now(UTC).isoformat(), "songs": len(songs),
            "custom_content": len(custom), "manifests": len(keys), "blobs": len(digests),
            "blob_bytes": blobs.copied_bytes + blobs.skipped_bytes, "dump_bytes": dump_bytes})
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Taken(final, len(songs), len(custom), manifests, blobs, dump_bytes)


def _manifest_keys(store: ObjectStore, bucket: str, songs: Iterable[SongRow]) -> list[str]:
    """Every stored revision's manifest of the snapshot's songs, up to the snapshot's revision
    (an edit made later is not part of it)."""
    revisions = {str(row.song_id): row.revision for row in songs}
    current = {row.manifest_key for row in songs}
    keys = []
    for stored in store.list(bucket, "manifests/"):
        match = _MANIFEST.match(stored.key)
        if match and int(match[2]) <= revisions.get(match[1], 0):
            keys.append(stored.key)
    missing = current - set(keys)
    if missing:
        raise MissingObjects(f"{len(missing)} manifest(s) are missing from {bucket}: "
                             f"{', '.join(sorted(missing)[:5])}")
    return sorted(keys)


def _keep_settings(target: Path, files: dict[str, Path], settings: dict) -> None:
    for name, path in files.items():
        if path.is_file():
            write_atomically(target / name, path.read_bytes(), mode=0o600)
    write_atomically(target / "settings.json", json.dumps(settings, indent=2).encode())
