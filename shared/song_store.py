"""Song files kept once by content (sha256) in the songs bucket, one manifest per revision."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

from shared.manifest import Manifest, ManifestFile, blob_key, manifest_key
from shared.storage import ObjectStore


class SongStore:
    def __init__(self, store: ObjectStore, bucket: str) -> None:
        self._store = store
        self._bucket = bucket

    def save_revision(self, song_id: uuid.UUID, revision: int, md5: str,
                      files: Mapping[str, bytes]) -> tuple[str, Manifest]:
        """Store every file not already stored and write the revision's manifest."""
        entries = []
        for name in sorted(files):
            data = files[name]
            digest = hashlib.sha256(data).hexdigest()
            if self._store.stat(self._bucket, blob_key(digest)) is None:
                self._store.put_bytes(self._bucket, blob_key(digest), data)
            entries.append(ManifestFile(name=name, sha256=digest, size=len(data)))
        manifest = Manifest(song_id=song_id, revision=revision, md5=md5, files=tuple(entries))
        key = manifest_key(song_id, revision)
        self._store.put_bytes(self._bucket, key, manifest.model_dump_json().encode())
        return key, manifest

    def manifest(self, key: str) -> Manifest:
        return Manifest.model_validate_json(self._store.get_bytes(self._bucket, key))

    def read(self, entry: ManifestFile) -> bytes:
        return self._store.get_bytes(self._bucket, blob_key(entry.sha256))

    def download(self, entry: ManifestFile, path: Path) -> None:
        self._store.download(self._bucket, blob_key(entry.sha256), path)

    def files(self, manifest: Manifest) -> LazySongFiles:
        return LazySongFiles(self, manifest)


class LazySongFiles(Mapping[str, bytes]):
    """A revision's files by name, each fetched from the store when first read."""

    def __init__(self, songs: SongStore, manifest: Manifest) -> None:
        self._songs = songs
        self._entries = {entry.name: entry for entry in manifest.files}
        self._cache: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        if name not in self._cache:
            self._cache[name] = self._songs.read(self._entries[name])
        return self._cache[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
