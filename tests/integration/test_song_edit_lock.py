"""Edits of one song take turns across processes through a PostgreSQL advisory lock; edits of
other songs pass freely."""

from __future__ import annotations

import threading
import uuid

import pytest

from services.ingest.edit_lock import PostgresSongEditLock
from shared.persistence.db import make_engine, make_sessions

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def lock(database_url):
    engine = make_engine(database_url)
    yield PostgresSongEditLock(make_sessions(engine))
    engine.dispose()


def test_an_edit_of_the_same_song_waits_and_another_songs_does_not(lock):
    song, other = uuid.uuid4(), uuid.uuid4()
    holding, release = threading.Event(), threading.Event()
    order: list[str] = []

    def first() -> None:
        with lock.editing(song):
            holding.set()
            release.wait(30)
            order.append("first done")

    def second() -> None:
        with lock.editing(song):
            order.append("second")

    holder = threading.Thread(target=first)
    holder.start()
    assert holding.wait(30)
    waiter = threading.Thread(target=second)
    waiter.start()
    with lock.editing(other):  # another song's edit is not held up
        order.append("other song")
    waiter.join(0.5)
    assert waiter.is_alive(), "the second edit of the song must wait for the first"
    release.set()
    holder.join(30)
    waiter.join(30)
    assert order == ["other song", "first done", "second"]
