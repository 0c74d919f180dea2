"""The search index's feed on the real PostgreSQL: songs inserted, edited and deleted reach
the index, a lost connection ends in a rebuild, and a rebuilt index equals the catalog."""

from __future__ import annotations

import contextlib
import time
import tracemalloc
import uuid

import numpy as np
import psycopg2
import pytest
from sqlalchemy import create_engine, delete, select, text, update

from shared.persistence.tables import Song
from shared.search.feed import APPLICATION_NAME, SearchFeed, load_index
from shared.search.syntax import parse_search
from tests.support import stack as stacks

pytestmark = pytest.mark.integration
DEADLINE = 20.0


@pytest.fixture(scope="module")
def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


def add_song(engine, title: str, **columns) -> str:
    song_id = uuid.uuid4()
    with engine.begin() as connection:
        connection.execute(Song.__table__.insert().values(
            id=song_id, title=title, artist=columns.pop("artist", "Feed Band"),
            file_path=f"Feed Band/{song_id}", metadata={}, md5=uuid.uuid4().hex,
            manifest_key=f"manifests/{song_id}/1.json", instruments=["drums"],
            parts=["drums:expert"], **columns))
    return str(song_id)


@pytest.fixture(scope="module")
def feed(engine, database_url):
    for number in range(5):
        add_song(engine, f"Present Song {number}", has_solos=number % 2 == 0, max_nps=number)
    running = SearchFeed(database_url)
    assert running.start(timeout=60)
    yield running
    running.stop()


def found(feed: SearchFeed, query: str) -> set[str]:
    with feed.reading() as index:
        mask, _ = index.matching(parse_search(query))
        return {index.id_of(slot) for slot in np.flatnonzero(mask)}


def eventually(check) -> bool:
    """Whether `check()` comes true before the deadline (polled; nothing is timed)."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_songs_present_before_the_feed_started_are_indexed(feed):
    assert len(found(feed, "present")) >= 5


def test_an_inserted_edited_and_deleted_song_reaches_the_index(feed, engine):
    word, renamed = f"w{uuid.uuid4().hex[:10]}", f"w{uuid.uuid4().hex[:10]}"
    song_id = add_song(engine, f"Fresh {word}", genre="Polka")
    assert eventually(lambda: found(feed, word) == {song_id})
    assert song_id in found(feed, "genre=polka")
    with engine.begin() as connection:
        connection.execute(update(Song).where(Song.id == uuid.UUID(song_id))
                           .values(title=f"Edited {renamed}", genre="Rock"))
    assert eventually(lambda: found(feed, renamed) == {song_id})
    assert found(feed, word) == set()
    assert song_id not in found(feed, "genre=polka")
    with engine.begin() as connection:
        connection.execute(delete(Song).where(Song.id == uuid.UUID(song_id)))
    assert eventually(lambda: found(feed, renamed) == set())
    assert song_id not in found(feed, "")


def test_a_lost_connection_ends_in_a_rebuild_that_misses_nothing(feed, engine):
    rebuilds = feed.rebuilds
    with engine.begin() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE application_name = :name"), {"name": APPLICATION_NAME})
    word = f"w{uuid.uuid4().hex[:10]}"
    song_id = add_song(engine, f"While away {word}")
    assert eventually(lambda: feed.rebuilds > rebuilds and found(feed, word) == {song_id})


def test_an_index_rebuilt_from_scratch_equals_the_catalog(feed, engine, database_url):
    with engine.connect() as connection:
        catalog_ids = {str(i) for i in connection.execute(select(Song.id)).scalars()}
        solos = {str(i) for i in connection.execute(
            select(Song.id).where(Song.has_solos)).scalars()}
        dense = {str(i) for i in connection.execute(
            select(Song.id).where(Song.max_nps > 2)).scalars()}
    dsn = database_url.replace("+psycopg2", "")
    with contextlib.closing(psycopg2.connect(dsn)) as connection:
        rebuilt = load_index(connection)
    every = {rebuilt.id_of(slot) for slot in np.flatnonzero(rebuilt.alive.view(rebuilt.size))}
    assert every == catalog_ids and len(rebuilt) == len(catalog_ids)
    for query, expected in (("has:solos", solos), ("nps>2", dense)):
        mask, _ = rebuilt.matching(parse_search(query))
        assert {rebuilt.id_of(slot) for slot in np.flatnonzero(mask)} == expected
        assert eventually(lambda q=query, e=expected: found(feed, q) == e)
    assert eventually(lambda: found(feed, "") == catalog_ids)


@pytest.fixture
def library_of_6000_songs():
    """A catalog database of its own holding 6,000 songs; its DSN."""
    name = f"chhub_test_feed_load_{uuid.uuid4().hex[:8]}"
    dsn = stacks.fresh_database(name).replace("+psycopg2", "")
    with contextlib.closing(psycopg2.connect(dsn)) as connection, connection.cursor() as cursor:
        cursor.execute("""
            INSERT INTO songs (id, title, artist, album, genre, charter, year, file_path,
                               metadata, md5, manifest_key, instruments, parts, revision,
                               parser_version)
            SELECT gen_random_uuid(), 'Song number ' || n || ' of the night',
                   'Artist ' || mod(n, 300), 'Album ' || n, 'Rock', 'Charter ' || mod(n, 40),
                   '2004', 'Artist/' || n, '{}', md5(n::text), 'manifests/' || n,
                   ARRAY['guitar', 'bass'],
                   ARRAY['guitar:expert', 'guitar:hard', 'guitar:medium', 'bass:expert'], 1, 1
            FROM generate_series(1, 6000) AS n""")
        connection.commit()
    yield dsn
    stacks.drop_database(name)


def test_a_load_holds_a_few_hundred_rows_at_a_time_beside_the_index(library_of_6000_songs):
    """What a load holds beyond the index it returns stays small whatever the library: read
    thousands of rows at a time, it was 9 MB at 6,000 songs."""
    with contextlib.closing(psycopg2.connect(library_of_6000_songs)) as connection:
        tracemalloc.start()
        try:
            index = load_index(connection)
            held, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert len(index) == 6000
    assert peak - held < 5 * 1024 * 1024
