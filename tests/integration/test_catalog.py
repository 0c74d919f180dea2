"""Catalog writes on the real PostgreSQL: once per content, whatever the redeliveries."""

from __future__ import annotations

import random
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import event as sql_event
from sqlalchemy import func, select, text

from services.catalog.consumers import catalog as catalog_consumer
from shared.events import SongCataloged, SongDeleted, SongParsed
from shared.manifest import Manifest, ManifestFile
from shared.outbox import OUTBOX
from shared.persistence import songs
from shared.persistence.db import transaction
from shared.persistence.tables import Song
from tests.support.catalog_rows import insert_many_songs
from tests.support.rows_read import rows_read


def parsed(song_id=None, *, md5=None, revision=1, name="Song", artist="Artist",
           parser_version=1) -> SongParsed:
    song_id = song_id or uuid.uuid4()
    return SongParsed(event_id=SongParsed.id_for(song_id, revision, parser_version),
                      song_id=song_id, revision=revision, manifest_key=f"m/{revision}",
                      md5=md5 or uuid.uuid4().hex, parser_version=parser_version, name=name,
                      artist=artist, scan={"chartFile": "notes.chart"})


def record(sessions, event):
    with transaction(sessions) as session:
        return songs.record_parsed(session, event)


def test_a_redelivered_parsed_song_is_cataloged_once_and_answers_the_same(sessions):
    event = parsed()
    first, again = record(sessions, event), record(sessions, event)
    assert first == again == songs.Cataloged(first.content_path)
    with sessions() as session:
        assert session.scalar(select(func.count()).where(Song.id == event.song_id)) == 1


def test_the_same_content_under_another_id_is_already_in_the_library(sessions):
    original = parsed()
    record(sessions, original)
    assert record(sessions, parsed(md5=original.md5)) == songs.AlreadyInLibrary(original.song_id)


def test_two_workers_cataloging_the_same_content_at_once_give_one_song(sessions):
    md5 = uuid.uuid4().hex
    events = [parsed(md5=md5) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        outcomes = list(pool.map(lambda e: _record_retrying(sessions, e), events))
    assert sum(isinstance(o, songs.Cataloged) for o in outcomes) == 1
    assert sum(isinstance(o, songs.AlreadyInLibrary) for o in outcomes) == 5
    with sessions() as session:
        assert session.scalar(select(func.count()).where(Song.md5 == md5)) == 1


def _record_retrying(sessions, event, write=record):
    for _ in range(5):
        try:
            return write(sessions, event)
        except RuntimeError:
            continue
    raise AssertionError("never settled")


def test_one_parsed_song_delivered_twice_at_once_is_never_a_duplicate_of_itself(sessions):
    """Two deliveries of one `song.parsed` racing (prefetch > 1): the later one, whichever
    moment it sees the earlier one's commit, catalogs the same song again."""
    pairs = [parsed() for _ in range(200)]

    def deliver(event, start, lag):
        start.wait()
        time.sleep(lag)
        _record_retrying(sessions, event, write=catalog_consumer.record)

    for event in pairs:
        start = threading.Barrier(2)
        lag = random.uniform(0, 0.012)  # spreads the second delivery over the first's commit
        with ThreadPoolExecutor(2) as pool:
            for done in [pool.submit(deliver, event, start, 0),
                         pool.submit(deliver, event, start, lag)]:
                done.result()
    with sessions() as session:
        announced = session.execute(
            select(OUTBOX.c.routing_key, func.count())
            .where(OUTBOX.c.song_id.in_([e.song_id for e in pairs]))
            .group_by(OUTBOX.c.routing_key)).all()
    assert dict(announced) == {"song.cataloged": len(pairs)}


def test_an_older_revision_is_dropped(sessions):
    song_id = uuid.uuid4()
    record(sessions, parsed(song_id, revision=2, name="New Title"))
    assert isinstance(record(sessions, parsed(song_id, revision=1, name="Old")), songs.Outdated)
    with sessions() as session:
        assert session.get(Song, song_id).title == "New Title"


def test_a_renamed_revision_moves_to_a_new_folder_and_names_the_old_one(sessions):
    song_id = uuid.uuid4()
    first = record(sessions, parsed(song_id, name="Before"))
    second = record(sessions, parsed(song_id, revision=2, name="After"))
    assert second.previous_content_path == first.content_path
    assert "After_" in second.content_path


def test_artists_differing_only_in_case_share_one_folder(sessions):
    unique = uuid.uuid4().hex[:8]
    first = record(sessions, parsed(artist=f"The Band {unique}"))
    second = record(sessions, parsed(artist=f"THE BAND {unique}"))
    assert first.content_path.split("/")[1] == second.content_path.split("/")[1]


def test_the_artist_folder_of_a_new_song_is_found_by_index_in_a_large_library(sessions):
    with sessions() as session, session.begin():
        insert_many_songs(session, 20000, "'songs/Band ' || i || '/Song_' || i",
                          artist="'Band ' || i", md5="md5('artist-folder-' || i)")
        session.execute(text("ANALYZE songs"))
        query = songs.artist_folder_query("BAND 12345", uuid.uuid4())
        assert session.execute(query).scalar() == "Band 12345"
        compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(session.execute(text(f"EXPLAIN {compiled}")).scalars())
        session.rollback()
    assert "Index Scan" in plan and "Seq Scan" not in plan, plan


def test_the_artist_folder_of_an_artist_holding_the_newest_songs_is_read_by_index(sessions):
    """An import of a Songs folder sorted by artist: a few percent of the library, all of it at
    the table's end, where a scan would meet them last. Cataloging one more of them reads a few
    rows, not the library."""
    unique = uuid.uuid4().hex[:8]
    with sessions() as session, session.begin():
        insert_many_songs(session, 5000, "CASE WHEN i > 4800 THEN :late || i "
                                         "ELSE 'songs/Band ' || (i % 200) || '/Song_' || i END",
                          {"late": f"songs/Late Band {unique}/Song_", "unique": unique},
                          md5="md5(:unique || i)")
        session.execute(text("ANALYZE songs"))
        query = songs.artist_folder_query(f"LATE BAND {unique}", uuid.uuid4())
        compiled = query.compile(session.get_bind(), compile_kwargs={"literal_binds": True})
        plan = "\n".join(session.execute(text(f"EXPLAIN (ANALYZE) {compiled}")).scalars())
        before = rows_read(session, "songs")
        outcome = songs.record_parsed(session, parsed(artist=f"late band {unique}"))
        read = rows_read(session, "songs") - before
        session.rollback()
    assert outcome.content_path.startswith(f"songs/Late Band {unique}/")
    assert read < 20, f"{read} rows of songs read to catalog one more of the artist's songs"
    assert "Seq Scan" not in plan and "Rows Removed by Filter" not in plan, plan


def test_a_deleted_song_is_never_brought_back(sessions):
    event = parsed()
    record(sessions, event)
    with transaction(sessions) as session:
        songs.record_deleted(session, SongDeleted(
            event_id=SongDeleted.id_for(event.song_id, 2), song_id=event.song_id,
            revision=2))
    assert isinstance(record(sessions, event), songs.Outdated)


def test_cataloging_a_song_never_reads_a_stored_scan_back(sessions):
    """A scan may be a megabyte of JSON (a chart with thousands of issues): the catalog's
    transaction writes it and reads only the song's other columns."""
    song_id = uuid.uuid4()
    selects: list[str] = []

    def seen(connection, cursor, statement, *args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            selects.append(statement)

    engine = sessions.kw["bind"]
    sql_event.listen(engine, "before_cursor_execute", seen)
    try:
        catalog_consumer.record(sessions, parsed(song_id))
        catalog_consumer.record(sessions, parsed(song_id, revision=2, name="Renamed"))
    finally:
        sql_event.remove(engine, "before_cursor_execute", seen)
    assert any("FROM songs" in statement for statement in selects)
    assert not [statement for statement in selects if "songs.metadata" in statement]


def test_the_cataloged_song_lists_its_files_as_the_parsed_one_did(sessions):
    """So that publishing it reads no manifest."""
    files = (ManifestFile(name="notes.chart", sha256="a" * 64, size=10),
             ManifestFile(name="song.ogg", sha256="b" * 64, size=20, audio_ms=1500.0))
    event = parsed().model_copy(update={"files": files})
    catalog_consumer.record(sessions, event)
    with sessions() as session:
        payload = session.execute(select(OUTBOX.c.payload).where(
            OUTBOX.c.song_id == event.song_id,
            OUTBOX.c.routing_key == "song.cataloged")).scalar_one()
    cataloged = SongCataloged.model_validate(payload)
    assert cataloged.manifest() == Manifest(song_id=event.song_id, revision=1, md5=event.md5,
                                            files=files)
