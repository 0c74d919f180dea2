"""The blob collector: reads every reference to the songs bucket (the catalog, then the
manifests they name), then lists the bucket, then deletes the blobs and manifests nothing refers
to that are older than the safety window → a report of what it freed."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import chain, islice

import structlog

from services.ingest.blob_lock import BlobLock
from services.ingest.garbage import AgedObject, choose_garbage, is_old_enough, referenced_manifests
from shared.manifest import Manifest, blob_key
from shared.persistence.stored_references import CatalogReferences
from shared.storage import ObjectNotFound, ObjectStore, StoredObject

log = structlog.get_logger(__name__)

DELETES_PER_LOCK = 100  # writers wait while the collector holds the lock: keep each hold short


@dataclass(frozen=True)
class Mark:
    at: datetime
    """When the references started to be read: every age is measured from here."""
    referenced: frozenset[str]
    manifests: tuple[StoredObject, ...]
    """The manifests listed while reading the references."""


@dataclass(frozen=True)
class CollectionReport:
    started_at: datetime
    dry_run: bool
    referenced: int
    freed: tuple[AgedObject, ...]
    """What was deleted (or, on a dry run, would have been)."""

    @property
    def blobs(self) -> int:
        return sum(not item.is_manifest for item in self.freed)

    @property
    def manifests(self) -> int:
        return sum(item.is_manifest for item in self.freed)

    @property
    def bytes(self) -> int:
        return sum(item.size for item in self.freed)


def _now() -> datetime:
    return datetime.now(UTC)


class BlobCollector:
    def __init__(self, store: ObjectStore, bucket: str,
                 references: Callable[[], CatalogReferences], lock: BlobLock,
                 window: timedelta, *, clock: Callable[[], datetime] = _now,
                 manifest_readers: int = 8) -> None:
        self._store = store
        self._bucket = bucket
        self._references = references
        self._lock = lock
        self._window = window
        self._clock = clock
        self._readers = manifest_readers

    def run(self, *, dry_run: bool = False) -> CollectionReport:
        mark = self.mark()
        candidates = self.candidates(mark)
        freed = candidates if dry_run else self.sweep(candidates, mark)
        report = CollectionReport(started_at=mark.at, dry_run=dry_run,
                                  referenced=len(mark.referenced), freed=tuple(freed))
        log.info("gc.collected", dry_run=dry_run, blobs=report.blobs,
                 manifests=report.manifests, bytes=report.bytes, referenced=report.referenced,
                 window_seconds=self._window.total_seconds())
        return report

    def mark(self) -> Mark:
        """Every key still referred to; read before the bucket is listed, so that whatever is
        written after this point is younger than the window when it is listed."""
        at = self._clock()
        catalog = self._references()
        manifests = tuple(self._store.list(self._bucket, "manifests/"))
        needed = referenced_manifests(catalog, (stored.key for stored in manifests))
        blobs = {blob_key(digest) for digest in catalog.custom_blobs}
        for files in self._read_all(sorted(needed)):
            blobs.update(files)
        return Mark(at=at, referenced=frozenset(needed | blobs), manifests=manifests)

    def candidates(self, mark: Mark) -> list[AgedObject]:
        listed = chain(mark.manifests, self._store.list(self._bucket, "blobs/"))
        return choose_garbage(mark.referenced, (self._aged(item, mark) for item in listed),
                              self._window)

    def sweep(self, candidates: Iterable[AgedObject], mark: Mark) -> list[AgedObject]:
        """Delete the candidates still old enough, each checked again under the lock: a writer
        may have reused one since it was listed (a reused blob is touched, so it is young)."""
        freed = []
        pending = iter(candidates)
        while batch := list(islice(pending, DELETES_PER_LOCK)):
            with self._lock.collecting():
                for item in batch:
                    current = self._store.stat(self._bucket, item.key)
                    if current is None:
                        continue
                    aged = self._aged(current, mark)
                    if is_old_enough(aged.age, self._window):
                        self._store.delete(self._bucket, item.key)
                        freed.append(aged)
        return freed

    def _aged(self, stored: StoredObject, mark: Mark) -> AgedObject:
        # An object the server does not date is treated as new: never collected.
        age = mark.at - stored.modified if stored.modified else timedelta(0)
        return AgedObject(key=stored.key, size=stored.size, age=age)

    def _read_all(self, keys: list[str]) -> Iterator[set[str]]:
        if self._readers <= 1:
            return map(self._blobs_of, keys)
        with ThreadPoolExecutor(self._readers) as pool:
            return iter(list(pool.map(self._blobs_of, keys)))

    def _blobs_of(self, key: str) -> set[str]:
        try:
            manifest = Manifest.model_validate_json(self._store.get_bytes(self._bucket, key))
        except ObjectNotFound:  # deleted since (a song forgotten): it protects nothing now
            return set()
        return {blob_key(entry.sha256) for entry in manifest.files}
