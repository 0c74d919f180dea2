"""Song files kept once by content (sha256) in the songs bucket, one manifest per revision."""

from __future__ import annotations

import contextvars
import hashlib
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

from shared.manifest import (
    Manifest,
    ManifestFile,
    blob_key,
    manifest_key,
    manifests_prefix,
    revision_of,
)
from shared.songs.audio import audio_length_ms, length_from_ends
from shared.storage import ObjectNotFound, ObjectStore

AUDIO_HEAD_BYTES = 256 * 1024  # room for ID3 tags before an MP3's first frame
AUDIO_TAIL_BYTES = 128 * 1024  # holds an Ogg file's last page (at most 65,307 bytes)
SEND_AGAIN_BYTES = 1024 * 1024  # below this, sending a blob again costs less than asking
PARALLEL_SENDS = 4  # a song's files sent at once: the S3 server works on several at a time

Writing = Callable[[], AbstractContextManager[object]]
"""Held while blobs are written or reused: the blob collector never deletes during it."""

FileReader = Callable[[Path], Iterable[bytes]]
"""A file on disk's bytes, a piece at a time (`read_pieces`)."""

RangeReader = Callable[[int, int], bytes]
"""`read(offset, length)`: up to `length` of a file's bytes from `offset` on."""


def read_pieces(path: Path, size: int = 1024 * 1024) -> Iterator[bytes]:
    """A file's bytes, a piece at a time."""
    with path.open("rb") as stream:
        while piece := stream.read(size):
            yield piece


def length_from_file_ends(read: RangeReader, size: int) -> float | None:
    """An audio file's length in milliseconds from its first and last bytes, two small reads
    of a file of `size` bytes; None when only the whole file can tell. Raises `AudioReadError`
    when those bytes are not audio."""
    head = read(0, AUDIO_HEAD_BYTES)
    if size <= len(head):
        return audio_length_ms(head)
    return length_from_ends(head, read(max(0, size - AUDIO_TAIL_BYTES), AUDIO_TAIL_BYTES), size)


def keep_blob(store: ObjectStore, bucket: str, data: bytes) -> str:
    """Store `data` by its sha256 unless it is there already; its digest. A blob already there
    is touched instead: new again, so that the blob collector's safety window covers it until
    whatever is about to refer to it (a manifest, the catalog) does."""
    digest = hashlib.sha256(data).hexdigest()
    if not store.touch(bucket, blob_key(digest)):
        store.put_bytes(bucket, blob_key(digest), data)
    return digest


class SongStore:
    def __init__(self, store: ObjectStore, bucket: str, writing: Writing = nullcontext,
                 parallel_sends: int = PARALLEL_SENDS,
                 read_file: FileReader = read_pieces) -> None:
        self._store = store
        self._bucket = bucket
        self._writing = writing
        self._parallel_sends = max(1, parallel_sends)
        self._read_file = read_file

    def save_revision(self, song_id: uuid.UUID, revision: int, md5: str,
                      files: Mapping[str, bytes],
                      made_by: uuid.UUID | None = None) -> tuple[str, Manifest]:
        """Store every file not already stored and write the revision's manifest."""
        with self._writing():
            entries = [self.keep_file(name, files[name]) for name in sorted(files)]
            return self.write_manifest(song_id, revision, md5, entries, made_by)

    def save_revision_files(self, song_id: uuid.UUID, revision: int, md5: str,
                            paths: Mapping[str, Path],
                            digests: Mapping[str, tuple[str, int]] | None = None,
                            stem_lengths: Mapping[str, float] | None = None,
                            ) -> tuple[str, Manifest]:
        """`save_revision` of files on disk, each hashed and sent piece by piece: memory stays
        at one upload part per file in flight whatever the song's size. `digests` (name →
        sha256 and size), when the caller hashed the files already, spares reading them once
        more; `stem_lengths` (name → milliseconds) go into the manifest. Up to
        `parallel_sends` files are sent at once; the manifest is written once every one of
        them is stored."""
        digests, stem_lengths = digests or {}, stem_lengths or {}
        names = sorted(paths)
        with self._writing():
            with ThreadPoolExecutor(min(self._parallel_sends, max(1, len(names)))) as sends:
                # Each send in a copy of this context: its trace span under the stage's.
                entries = list(sends.map(
                    lambda name, context: context.run(self.keep_file_at, name, paths[name],
                                                      digests.get(name)),
                    names, [contextvars.copy_context() for _ in names]))
            entries = [entry.model_copy(update={"audio_ms": stem_lengths.get(entry.name)})
                       for entry in entries]
            return self.write_manifest(song_id, revision, md5, entries)

    def keep_file_at(self, name: str, path: Path,
                     digest_and_size: tuple[str, int] | None = None) -> ManifestFile:
        """`keep_file` of a file on disk, read a piece at a time (hashed here unless its
        sha256 and size are given). A small file is written again whether or not it is there
        (one request where a touch, or a failed touch and a write, takes two; either way the
        blob is new again); a large one is sent only when it is not there already."""
        digest, size = digest_and_size or _sha256_of(self._read_file(path))
        if size > SEND_AGAIN_BYTES and self._store.touch(self._bucket, blob_key(digest)):
            return ManifestFile(name=name, sha256=digest, size=size)
        self._store.put_file(self._bucket, blob_key(digest), path)
        return ManifestFile(name=name, sha256=digest, size=size)

    def keep_file(self, name: str, data: bytes) -> ManifestFile:
        """One file of a revision stored by content (see `keep_blob`)."""
        return ManifestFile(name=name, sha256=keep_blob(self._store, self._bucket, data),
                            size=len(data))

    def write_manifest(self, song_id: uuid.UUID, revision: int, md5: str,
                       entries: list[ManifestFile],
                       made_by: uuid.UUID | None = None) -> tuple[str, Manifest]:
        manifest = Manifest(song_id=song_id, revision=revision, md5=md5, files=tuple(entries),
                            made_by=made_by)
        key = manifest_key(song_id, revision)
        self._store.put_bytes(self._bucket, key, manifest.model_dump_json().encode())
        return key, manifest

    def manifest(self, key: str) -> Manifest:
        return Manifest.model_validate_json(self._store.get_bytes(self._bucket, key))

    def stored_revision(self, song_id: uuid.UUID, revision: int) -> tuple[str, Manifest] | None:
        """The revision's manifest key and manifest when it is stored (every file is, then:
        the manifest is written last); None when it is not."""
        key = manifest_key(song_id, revision)
        try:
            return key, self.manifest(key)
        except ObjectNotFound:
            return None

    def revisions(self, song_id: uuid.UUID) -> list[int]:
        """Every revision of the song with a manifest stored, oldest first."""
        found = (revision_of(stored.key)
                 for stored in self._store.list(self._bucket, manifests_prefix(song_id)))
        return sorted(revision for revision in found if revision is not None)

    def read(self, entry: ManifestFile) -> bytes:
        return self._store.get_bytes(self._bucket, blob_key(entry.sha256))

    def read_range(self, entry: ManifestFile, offset: int, length: int) -> bytes:
        return self._store.get_range(self._bucket, blob_key(entry.sha256), offset, length)

    def audio_length_ms(self, entry: ManifestFile) -> float:
        """A stem's length: as its manifest tells it, or from its first and last bytes, two
        small reads, not the whole file (which is read only when its ends cannot tell)."""
        if entry.audio_ms is not None:
            return entry.audio_ms
        length = length_from_file_ends(
            lambda offset, length: self.read_range(entry, offset, length), entry.size)
        return audio_length_ms(self.read(entry)) if length is None else length

    def download(self, entry: ManifestFile, path: Path) -> None:
        self._store.download(self._bucket, blob_key(entry.sha256), path)

    def files(self, manifest: Manifest) -> LazySongFiles:
        return LazySongFiles(self, manifest)


def _sha256_of(pieces: Iterable[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for piece in pieces:
        digest.update(piece)
        size += len(piece)
    return digest.hexdigest(), size


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
