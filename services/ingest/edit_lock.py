"""One edit of a song at a time, across every ingest process: an edit reads the song's newest
revision and writes the next, so two edits of one song must not interleave. A PostgreSQL
advisory lock named by the song spans every host; an in-process lock stands in for tests."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker


class SongEditLock(Protocol):
    def editing(self, song_id: uuid.UUID) -> AbstractContextManager[None]: ...


def lock_key(song_id: uuid.UUID) -> int:
    """The song's advisory lock: the first 8 bytes of its id as a signed bigint."""
    return int.from_bytes(song_id.bytes[:8], "big", signed=True)


class PostgresSongEditLock:
    """An advisory lock of a transaction held open for the block."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    @contextmanager
    def editing(self, song_id: uuid.UUID) -> Iterator[None]:
        with self._sessions() as session:
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                            {"key": lock_key(song_id)})
            yield


class InProcessSongEditLock:
    """The same within one process: a lock per song."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[uuid.UUID, threading.Lock] = {}

    @contextmanager
    def editing(self, song_id: uuid.UUID) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(song_id, threading.Lock())
        with lock:
            yield
