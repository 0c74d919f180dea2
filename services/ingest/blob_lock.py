"""The lock between writers of the songs bucket and the blob collector: writers (extract, edit,
custom content) hold it shared while they store or reuse blobs, the collector holds it alone
while it checks a blob's age once more and deletes it, so a blob reused at that moment is
never deleted under its writer. A PostgreSQL advisory lock spans every ingest process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

# pg_advisory locks are named by one bigint: "chhub-gc" in ASCII.
LOCK_KEY = 0x6368_6875_622D_6763


class BlobLock(Protocol):
    def writing(self) -> AbstractContextManager[None]: ...
    def collecting(self) -> AbstractContextManager[None]: ...


class PostgresBlobLock:
    """Advisory locks of a transaction held open for the block; ended by commit or close."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._sessions() as session:
            session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": LOCK_KEY})
            yield

    @contextmanager
    def collecting(self) -> Iterator[None]:
        with self._sessions() as session:
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
            yield


class LockBusy(RuntimeError):
    """The lock is held in a way that excludes this holder (`InMemoryBlobLock` never waits)."""


class InMemoryBlobLock:
    """A readers-writer lock in memory, for unit tests: it raises `LockBusy` instead of
    waiting, so a test that steps writers and the collector by hand sees every conflict."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self.writers = 0
        self.collector = False

    @contextmanager
    def writing(self) -> Iterator[None]:
        with self._guard:
            if self.collector:
                raise LockBusy("the collector holds the lock")
            self.writers += 1
        try:
            yield
        finally:
            with self._guard:
                self.writers -= 1

    @contextmanager
    def collecting(self) -> Iterator[None]:
        with self._guard:
            if self.collector or self.writers:
                raise LockBusy("writers hold the lock")
            self.collector = True
        try:
            yield
        finally:
            with self._guard:
                self.collector = False
