"""The pieces of the blob collector's race model: a song and a writer as the model sees them,
a lock that lets writers finish while the collector waits, and the collector's view of the
object store with other actors' steps between its calls."""

from __future__ import annotations

import uuid
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.ingest.blob_lock import InMemoryBlobLock
from shared.manifest import ManifestFile
from shared.storage import InMemoryObjectStore

WINDOW = timedelta(hours=1)


@dataclass
class Song:
    upload: uuid.UUID
    live: int | None = None
    failed: bool = False
    tombstoned: bool = False
    manifests: dict[int, dict[str, bytes]] = field(default_factory=dict)
    """Each revision written so far: its files."""


@dataclass
class Writer:
    """An extract (revision 1 of an upload's song) or an edit (a later revision) in progress:
    it holds the lock shared from its first blob to its manifest."""

    song: uuid.UUID
    revision: int
    files: dict[str, bytes]
    started: datetime
    entries: list[ManifestFile] = field(default_factory=list)
    holding: ExitStack | None = None


class WaitingLock(InMemoryBlobLock):
    """The collector waits for writers: while it does, they finish."""

    def __init__(self, drain) -> None:
        super().__init__()
        self._drain = drain

    @contextmanager
    def collecting(self):
        self._drain()
        with super().collecting():
            yield


class Interleaved:
    """The collector's view of the object store: before each call, other actors may act."""

    def __init__(self, inner: InMemoryObjectStore, between, clock) -> None:
        self._inner, self._between, self._clock = inner, between, clock

    def __getattr__(self, name):
        method = getattr(self._inner, name)

        def call(*args, **kwargs):
            self._between()
            if name == "delete":
                stored = self._inner.stat(*args)
                assert stored is None or self._clock() - stored.modified > WINDOW, \
                    f"{args[1]} deleted while younger than the window"
            return method(*args, **kwargs)

        return call
