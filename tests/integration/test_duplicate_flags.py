"""Duplicate flags on the real PostgreSQL: kept current as songs come, change and go."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from sqlalchemy import func, select, text

from shared.events import SongDeleted, SongParsed
from shared.persistence import db, songs
from shared.persistence.db import make_engine, make_sessions, transaction
from shared.persistence.library import LibraryQuery, search_library
from shared.persistence.tables import Song
from tests.support import stack
from tests.support.catalog_rows import insert_many_songs
from tests.support.rows_read import rows_read

pytestmark = pytest.mark.integration


@pytest.fixture
def token() -> str:
    """A word of this test's own, in every title and chart hash it makes."""
    return uuid.uuid4().hex[:12]


def parsed(title: str, chart: str, song_id: uuid.UUID | None = None, revision: int = 1,
           artist: str = "Flag Band") -> SongParsed:
    song_id = song_id or uuid.uuid4()
    return SongParsed(
        event_id=SongParsed.id_for(song_id, revision, 1), song_id=song_id,
        revision=revision, manifest_key=f"manifests/{song_id}/{revision}.json",
        md5=uuid.uuid4().hex, parser_version=1, name=title, artist=artist,
        charter="Flag Charter", scan={"chartHash": chart})


def catalog(sessions, *events: SongParsed) -> list[uuid.UUID]:
    with transaction(sessions) as session:
        for event in events:
            assert isinstance(songs.record_parsed(session, event), songs.Cataloged)
    return [event.song_id for event in events]


def flags(sessions, *ids: uuid.UUID) -> list[tuple[bool, bool]]:
    """(duplicate_chart, duplicate_title) of each song."""
    with sessions() as session:
        rows = session.execute(select(Song.id, Song.duplicate_chart, Song.duplicate_title)
                               .where(Song.id.in_(ids))).all()
    found = {row.id: (row.duplicate_chart, row.duplicate_title) for row in rows}
    return [found[song_id] for song_id in ids]


def delete(sessions, song_id: uuid.UUID) -> None:
    with transaction(sessions) as session:
        songs.record_deleted(session, SongDeleted(
            event_id=SongDeleted.id_for(song_id, 9), song_id=song_id, revision=9))


def test_a_chart_in_two_folders_flags_both_until_one_is_deleted(sessions, token):
    first, copy = catalog(sessions, parsed(f"Copy {token}", f"chart-{token}"),
                          parsed(f"Other name {token}", f"chart-{token}"))
    assert flags(sessions, first, copy) == [(True, False), (True, False)]
    delete(sessions, copy)
    assert flags(sessions, first) == [(False, False)]


def test_a_title_charted_twice_flags_both_but_the_same_chart_twice_does_not(sessions, token):
    one, other = catalog(sessions, parsed(f"Twice {token}", f"a-{token}"),
                         parsed(f"TWICE {token}", f"b-{token}", artist="FLAG BAND"))
    assert flags(sessions, one, other) == [(False, True), (False, True)]
    same = catalog(sessions, parsed(f"Once {token}", f"c-{token}"),
                   parsed(f"Once {token}", f"c-{token}"))
    assert flags(sessions, *same) == [(True, False), (True, False)]


def test_an_edit_that_renames_a_song_clears_the_flags_it_left_behind(sessions, token):
    one, other = catalog(sessions, parsed(f"Renamed {token}", f"d-{token}"),
                         parsed(f"Renamed {token}", f"e-{token}"))
    catalog(sessions, parsed(f"New name {token}", f"d-{token}", song_id=one, revision=2))
    assert flags(sessions, one, other) == [(False, False), (False, False)]
    catalog(sessions, parsed(f"Renamed {token}", f"e-{token}", song_id=one, revision=3))
    assert flags(sessions, one, other) == [(True, False), (True, False)]


def test_a_redelivered_song_keeps_its_flags(sessions, token):
    event = parsed(f"Again {token}", f"f-{token}")
    one, other = catalog(sessions, event, parsed(f"Again {token}", f"g-{token}"))
    catalog(sessions, event)
    assert flags(sessions, one, other) == [(False, True), (False, True)]


def test_copies_cataloged_at_the_same_time_see_each_other(sessions, token):
    first, second = (parsed(f"Together {token}", f"h-{token}") for _ in range(2))
    # Their words already in the library, so that neither waits on the other to add them.
    catalog(sessions, parsed(f"Together {token} warming up", f"w-{token}"))
    first_written = threading.Event()

    def catalog_first() -> None:
        with transaction(sessions) as session:
            songs.record_parsed(session, first)
            session.flush()
            first_written.set()
            # Commit only once the second writer waits for the flags' lock (or gave up).
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not _someone_waits_for_a_lock(sessions):
                time.sleep(0.05)

    def catalog_second() -> None:
        first_written.wait(timeout=10)
        catalog(sessions, second)

    threads = [threading.Thread(target=catalog_first), threading.Thread(target=catalog_second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert flags(sessions, first.song_id, second.song_id) == [(True, False), (True, False)]


def _someone_waits_for_a_lock(sessions) -> bool:
    with sessions() as session:
        return bool(session.execute(text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        )).scalar())


def test_the_duplicates_filter_reads_the_flags(sessions, token):
    same_chart = catalog(sessions, parsed(f"Filter {token}", f"i-{token}"),
                         parsed(f"Filtered copy {token}", f"i-{token}"))
    same_title = catalog(sessions, parsed(f"Title {token}", f"j-{token}"),
                         parsed(f"Title {token}", f"k-{token}"))
    with sessions() as session:
        by_chart = search_library(session, LibraryQuery(text=token, duplicates="chart"))
        by_title = search_library(session, LibraryQuery(text=token, duplicates="title"))
    assert {item["id"] for item in by_chart.items} == set(map(str, same_chart))
    assert {item["id"] for item in by_title.items} == set(map(str, same_title))


def test_one_more_copy_of_a_chart_held_many_times_reads_a_few_rows(sessions, database_url,
                                                                   token):
    """Its flags are told by a few index entries, not by reading the group's 300 songs, nor
    the library before them (the copies are its newest songs)."""
    with transaction(sessions) as session:
        insert_many_songs(session, 2000, ":path || i", {"title": f"Earlier {token} ",
                                                        "path": f"songs/earlier-{token}/"},
                          title=":title || i", artist="'Flag Band'", chart_hash=":path || i")
        insert_many_songs(session, 300, ":path || i", {"title": f"Crowd {token}",
                                                       "path": f"songs/crowd-{token}/",
                                                       "chart": f"l-{token}"},
                          title=":title", artist="'Flag Band'", chart_hash=":chart")
        session.execute(text("ANALYZE songs"))  # as autovacuum would: the planner knows them
    # A connection of its own: no plan cached while the table was small.
    engine = make_engine(database_url)
    try:
        with transaction(make_sessions(engine)) as session:
            before, updated_before = rows_read(session, "songs"), _songs_rows_updated(session)
            # The song's row alone, as the catalog writes it: what the flags' triggers read.
            session.execute(_ONE_COPY, {"title": f"Crowd {token}", "chart": f"l-{token}",
                                        "path": f"songs/crowd-{token}/one"})
            read = rows_read(session, "songs") - before
            rewritten = _songs_rows_updated(session) - updated_before
    finally:
        engine.dispose()
    assert read < 30, f"{read} rows of songs read to catalog one more copy"
    assert rewritten == 0, "the new copy was written with its flags right, not updated after"
    copy, other = catalog(sessions, parsed(f"Crowd {token}", f"m-{token}"),
                          parsed(f"Alone {token}", f"l-{token}"))
    assert flags(sessions, copy, other) == [(False, True), (True, False)]
    with sessions() as session:
        titled = session.execute(select(func.count()).where(
            Song.title == f"Crowd {token}", Song.duplicate_title)).scalar()
    assert titled == 302


_ONE_COPY = text(
    "INSERT INTO songs (id, title, artist, file_path, metadata, md5, revision, parser_version,"
    " manifest_key, chart_hash) VALUES (gen_random_uuid(), :title, 'Flag Band', :path, '{}',"
    " md5(:path), 1, 1, 'm', :chart)")


def _songs_rows_updated(session) -> int:
    return session.execute(text(
        "SELECT n_tup_upd FROM pg_stat_xact_user_tables WHERE relid = 'songs'::regclass"
    )).scalar() or 0



def test_the_migration_flags_the_songs_already_in_the_library():
    with stack.database_at("0009", f"{stack.TEST_DATABASE}_flags") as (url, engine):
        with engine.begin() as connection:
            for title, artist, chart in (("Song", "Band", "x"), ("Copy", "Other", "x"),
                                         ("Song", "BAND", "y"), ("Alone", "Band", "z")):
                connection.execute(text(
                    "INSERT INTO songs (id, title, artist, file_path, metadata, md5, revision,"
                    " parser_version, manifest_key, chart_hash) VALUES (:id, :title, :artist,"
                    " :path, '{}', :md5, 1, 1, 'm', :chart)"),
                    {"id": uuid.uuid4(), "title": title, "artist": artist, "chart": chart,
                     "path": f"songs/{uuid.uuid4()}", "md5": uuid.uuid4().hex})
        db.upgrade(url)
        with engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT title, artist, duplicate_chart, duplicate_title FROM songs"
                " ORDER BY title, artist")).all()
        assert [tuple(row) for row in rows] == [
            ("Alone", "Band", False, False), ("Copy", "Other", True, False),
            ("Song", "BAND", False, True), ("Song", "Band", True, True)]
        db.downgrade(url, "0009")  # and down again, cleanly
