"""Copying the songs bucket's manifests and blobs into a backup folder and back, each object
once: what the folder (or the bucket) holds already is skipped, and every blob is checked
against its sha256 on the way in and on the way out."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.backup.layout import BackupFolder, write_atomically
from shared.manifest import Manifest, blob_key
from shared.storage import ObjectNotFound, ObjectStore

WORKERS = 4
CHUNK = 1024 * 1024


class DamagedBlob(RuntimeError):
    """A blob's bytes do not hash to its name."""


class MissingObjects(RuntimeError):
    """Objects the database refers to are gone from the songs bucket."""


@dataclass(frozen=True)
class Copied:
    """What one pass copied and skipped."""

    copied: int = 0
    copied_bytes: int = 0
    skipped: int = 0
    skipped_bytes: int = 0

    def __add__(self, other: Copied) -> Copied:
        return Copied(self.copied + other.copied, self.copied_bytes + other.copied_bytes,
                      self.skipped + other.skipped, self.skipped_bytes + other.skipped_bytes)


def save_manifests(store: ObjectStore, bucket: str, folder: BackupFolder,
                   keys: Iterable[str]) -> Copied:
    """Copy every manifest the folder lacks (a manifest never changes once written)."""
    def save(key: str) -> Copied:
        local = folder.manifest(key)
        if local.is_file():
            return Copied(skipped=1, skipped_bytes=local.stat().st_size)
        data = _fetched(store.get_bytes, bucket, key)
        Manifest.model_validate_json(data)
        write_atomically(local, data)
        return Copied(copied=1, copied_bytes=len(data))

    return _each(save, keys)


def blobs_of(folder: BackupFolder, manifest_keys: Iterable[str]) -> set[str]:
    """Every blob the saved manifests name."""
    return {entry.sha256 for key in manifest_keys
            for entry in Manifest.model_validate_json(folder.manifest(key).read_bytes()).files}


def save_blobs(store: ObjectStore, bucket: str, folder: BackupFolder,
               digests: Iterable[str]) -> Copied:
    """Copy every blob the folder lacks, checking its bytes against its name."""
    def save(digest: str) -> Copied:
        local = folder.blob(digest)
        if local.is_file():
            return Copied(skipped=1, skipped_bytes=local.stat().st_size)
        local.parent.mkdir(parents=True, exist_ok=True)
        partial = local.with_name(f".{digest}.partial")
        _fetched(store.download, bucket, blob_key(digest), partial)
        _check(partial, digest)
        os.replace(partial, local)
        return Copied(copied=1, copied_bytes=local.stat().st_size)

    return _each(save, digests)


def put_objects(store: ObjectStore, bucket: str, folder: BackupFolder,
                manifest_keys: Iterable[str], digests: Iterable[str]) -> tuple[Copied, Copied]:
    """Copy the snapshot's blobs, then its manifests, into the bucket, skipping what it holds
    already; blobs first, so that every manifest in the bucket has its files."""
    present = {stored.key: stored.size for stored in store.list(bucket)}

    def put_blob(digest: str) -> Copied:
        key = blob_key(digest)
        if key in present:
            return Copied(skipped=1, skipped_bytes=present[key])
        local = folder.blob(digest)
        _check(local, digest)
        store.put_file(bucket, key, local)
        return Copied(copied=1, copied_bytes=local.stat().st_size)

    def put_manifest(key: str) -> Copied:
        if key in present:
            return Copied(skipped=1, skipped_bytes=present[key])
        data = folder.manifest(key).read_bytes()
        store.put_bytes(bucket, key, data)
        return Copied(copied=1, copied_bytes=len(data))

    blobs = _each(put_blob, digests)
    return _each(put_manifest, manifest_keys), blobs


def _fetched(fetch: Callable[..., Any], bucket: str, key: str, *more: Any) -> Any:
    try:
        return fetch(bucket, key, *more)
    except ObjectNotFound:
        raise MissingObjects(f"{bucket}/{key} is missing") from None


def _each(copy: Callable[[str], Copied], items: Iterable[str]) -> Copied:
    total = Copied()
    with ThreadPoolExecutor(WORKERS) as pool:
        for result in pool.map(copy, items):
            total += result
    return total


def _check(path: Path, digest: str) -> None:
    sha256 = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            sha256.update(chunk)
    if sha256.hexdigest() != digest:
        raise DamagedBlob(f"{path} does not hash to its name {digest}")
