"""An upload's progress rows in PostgreSQL: each song's stage moves only forward whatever order
the events come in, the upload ends once every song reached an end, and recording one event
costs a few statements and reads its own song's row whatever the upload holds."""

from __future__ import annotations

import logging
import uuid

import hypothesis
import pytest
from hypothesis import strategies
from sqlalchemy import event, select, text

from shared.events import (
    FoundSong,
    SongAlreadyInLibrary,
    SongCataloged,
    SongExtracted,
    SongFailed,
    SongFound,
    SongParsed,
    SongPublished,
    UploadUnpacked,
)
from shared.persistence import db
from shared.persistence.db import make_engine, make_sessions, transaction
from shared.persistence.tables import Upload, UploadSong
from shared.persistence.upload_stages import END_STAGES, UploadEnded
from shared.persistence.upload_status import UploadSongStage, upload_status
from shared.persistence.uploads import record_progress
from tests.support import stack
from tests.support.upload_events import received, song_event, unpacked

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def engine(database_url):
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def sessions(engine):
    return make_sessions(engine)


def record(sessions, happened) -> UploadEnded | None:
    with transaction(sessions) as session:
        return record_progress(session, happened)


def stages(sessions, upload_id: uuid.UUID) -> dict[uuid.UUID, tuple[str, str | None, str | None]]:
    with sessions() as session:
        rows = session.execute(select(UploadSong).where(UploadSong.upload_id == upload_id))
        return {row.song_id: (row.stage, row.folder, row.error) for row in rows.scalars()}


def upload(sessions, upload_id: uuid.UUID) -> Upload:
    with sessions() as session:
        return session.get(Upload, upload_id)


def test_a_stage_never_moves_back_and_the_folder_stays_known(sessions):
    upload_id, song = uuid.uuid4(), uuid.uuid4()
    record(sessions, received(upload_id))
    record(sessions, song_event(SongParsed, upload_id, song))
    record(sessions, song_event(SongExtracted, upload_id, song))  # late, redelivered
    assert stages(sessions, upload_id)[song] == ("parsed", None, None)
    record(sessions, unpacked(upload_id, {song: "Artist/Song"}))
    assert stages(sessions, upload_id)[song] == ("parsed", "Artist/Song", None)
    record(sessions, song_event(SongFailed, upload_id, song))
    assert stages(sessions, upload_id)[song] == ("failed", "Artist/Song",
                                                 "The chart could not be read.")
    # A dead-lettered message retried after a fix still publishes the song.
    record(sessions, song_event(SongPublished, upload_id, song))
    assert stages(sessions, upload_id)[song] == ("published", "Artist/Song", None)


def test_an_upload_ends_once_every_song_ended_whatever_the_order(sessions):
    upload_id = uuid.uuid4()
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    record(sessions, received(upload_id))
    assert record(sessions, song_event(SongPublished, upload_id, first)) is None
    assert record(sessions, song_event(SongFound, upload_id, second)) is None
    assert record(sessions, unpacked(upload_id, {first: "a", second: "b", third: "c"})) is None
    assert upload(sessions, upload_id).state == "processing"
    assert record(sessions, song_event(SongAlreadyInLibrary, upload_id, second)) is None
    ended = record(sessions, song_event(SongFailed, upload_id, third))
    assert ended is not None and (ended.state, ended.succeeded) == ("completed_with_errors",
                                                                    False)
    finished = upload(sessions, upload_id)
    assert (finished.state, finished.song_total) == ("completed_with_errors", 3)
    assert finished.completed_at is not None
    # A redelivered end event ends it again, the same way (its event id is the same).
    again = record(sessions, song_event(SongFailed, upload_id, third))
    assert again is not None and again.state == "completed_with_errors"


def test_an_upload_whose_songs_all_failed_failed(sessions):
    upload_id, song = uuid.uuid4(), uuid.uuid4()
    record(sessions, received(upload_id))
    record(sessions, unpacked(upload_id, {song: "a"}))
    ended = record(sessions, song_event(SongFailed, upload_id, song))
    assert ended is not None and ended.state == "failed"
    assert upload(sessions, upload_id).error == "No song of this upload could be added."


def test_an_event_of_an_upload_never_seen_creates_its_row(sessions):
    upload_id, song = uuid.uuid4(), uuid.uuid4()
    record(sessions, song_event(SongCataloged, upload_id, song))
    assert upload(sessions, upload_id).source == "unknown"
    assert stages(sessions, upload_id)[song][0] == "cataloged"


def test_a_song_event_costs_a_few_statements_however_many_songs_the_upload_holds(
        engine, sessions):
    upload_id = uuid.uuid4()
    songs = {uuid.uuid4(): f"folder {n}" for n in range(200)}
    record(sessions, received(upload_id))
    record(sessions, unpacked(upload_id, songs))
    statements: list[str] = []

    def count(conn, cursor, statement, *_):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        for song in list(songs)[:10]:
            record(sessions, song_event(SongFound, upload_id, song))
        assert statements == [], "the unpacked upload recorded every song found already"
        for song in list(songs)[:10]:
            record(sessions, song_event(SongExtracted, upload_id, song))
        middle = len(statements)
        for song in list(songs)[:10]:
            record(sessions, song_event(SongPublished, upload_id, song))
    finally:
        event.remove(engine, "before_cursor_execute", count)
    # Update the upload's row, upsert the song's; an end also counts the ended songs.
    assert middle <= 10 * 2, statements[:8]
    assert len(statements) - middle <= 10 * 3, statements[middle:middle + 8]


def test_recording_a_stage_again_reuses_the_compiled_statements(sessions, caplog):
    upload_id = uuid.uuid4()
    songs = [uuid.uuid4() for _ in range(3)]
    record(sessions, received(upload_id))
    record(sessions, unpacked(upload_id, {song: f"folder {n}" for n, song in enumerate(songs)}))
    record(sessions, song_event(SongExtracted, upload_id, songs[0]))
    record(sessions, song_event(SongPublished, upload_id, songs[0]))
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="sqlalchemy.engine.Engine"):
        for song in songs[1:]:
            record(sessions, song_event(SongExtracted, upload_id, song))
            record(sessions, song_event(SongPublished, upload_id, song))
    timings = [m for m in caplog.messages if m.startswith("[")]
    assert len(timings) >= 8, timings
    # "[no key ...]": a statement SQLAlchemy cannot cache, compiled again at every execution.
    assert not [m for m in timings if m.startswith("[no key")], timings


def test_an_uploads_songs_read_page_by_page_come_in_folder_order_each_once(sessions):
    upload_id = uuid.uuid4()
    songs = {uuid.uuid4(): f"Artist/Song {n:04d}" for n in range(1500)}  # more than a batch
    record(sessions, received(upload_id))
    record(sessions, unpacked(upload_id, songs))
    failed = next(iter(songs))
    record(sessions, song_event(SongFailed, upload_id, failed))
    read: list[UploadSongStage] = []
    after = None
    with sessions() as session:
        while True:
            status = upload_status(session, upload_id, after=after, limit=400)
            assert len(status.songs) <= 400
            read += status.songs
            if status.next_after is None:
                break
            after = status.next_after
    assert [song.folder for song in read] == sorted(songs.values())
    by_id = {song.song_id: song for song in read}
    assert by_id[failed].stage == "failed"
    assert by_id[failed].error == "The chart could not be read."
    assert {song.name for song in read} == {None}
    assert (status.song_counts.total, status.song_counts.failed,
            status.song_counts.in_progress) == (1500, 1, 1499)


def test_an_uploads_counters_match_its_songs_whatever_order_and_redelivery(sessions):
    """Events of an upload arrive in any order, some twice, a failed song later published:
    the upload's counters always equal its songs at an end, and it ends exactly when all have."""
    song_ids = [uuid.uuid4() for _ in range(4)]
    ends = [SongPublished, SongAlreadyInLibrary, SongFailed]

    @hypothesis.settings(max_examples=40, deadline=None, derandomize=True,
                         suppress_health_check=[hypothesis.HealthCheck.too_slow])
    @hypothesis.given(strategies.lists(
        strategies.tuples(strategies.sampled_from([None, *song_ids]),
                          strategies.sampled_from([SongExtracted, SongParsed, *ends])),
        min_size=1, max_size=14))
    def check(happenings):
        upload_id = uuid.uuid4()
        record(sessions, received(upload_id))
        ended_at: list[int] = []
        for step, (song, kind) in enumerate(happenings):
            happened = (unpacked(upload_id, {s: f"f{n}" for n, s in enumerate(song_ids)})
                        if song is None else song_event(kind, upload_id, song))
            if record(sessions, happened) is not None:
                ended_at.append(step)
            rows = stages(sessions, upload_id)
            counted = upload(sessions, upload_id)
            at_end = [stage for stage, _, _ in rows.values() if stage in END_STAGES]
            assert counted.songs_ended == len(at_end)
            assert counted.songs_failed == at_end.count("failed")
        all_ended = any(song is None for song, _ in happenings) and len(at_end) == len(song_ids)
        assert bool(ended_at) == all_ended

    check()


def test_recording_a_songs_end_reads_its_own_row_however_many_songs_the_upload_holds(sessions):
    upload_id = uuid.uuid4()
    songs = [uuid.uuid4() for _ in range(3000)]
    record(sessions, received(upload_id))
    record(sessions, unpacked(upload_id, {song: f"folder {n}" for n, song in enumerate(songs)}))
    record(sessions, song_event(SongPublished, upload_id, songs[0]))
    rows_read = text("SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) "
                     "FROM pg_stat_xact_user_tables WHERE relname = 'upload_songs'")
    with transaction(sessions) as session:
        # PostgreSQL's own count of the table's rows this connection read, before and after:
        # it flushes them only between transactions, so the difference is this one's reads.
        before = session.execute(rows_read).scalar_one()
        record_progress(session, song_event(SongFailed, upload_id, songs[1]))
        read = session.execute(rows_read).scalar_one() - before
    assert read <= 10, f"{read} song rows read to record one song's end"
    assert (upload(sessions, upload_id).songs_ended,
            upload(sessions, upload_id).songs_failed) == (2, 1)


def test_the_migration_counts_the_songs_uploads_ended_already():
    # Up to the revision before the counters.
    with stack.database_at("0020", f"{stack.TEST_DATABASE}_upload_counters") as (url, engine):
        upload_id = uuid.uuid4()
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO uploads (id, filename, source, bucket, key, size, is_folder, state,"
                " song_total) VALUES (:id, 'a.zip', 'gateway', 'b', 'k', 1, false,"
                " 'processing', 4)"), {"id": upload_id})
            for stage in ("published", "failed", "duplicate", "parsed"):
                connection.execute(text(
                    "INSERT INTO upload_songs (upload_id, song_id, stage) VALUES (:u, :s, :st)"),
                    {"u": upload_id, "s": uuid.uuid4(), "st": stage})
        db.upgrade(url, "0021")
        with engine.connect() as connection:
            counted = connection.execute(text(
                "SELECT songs_ended, songs_failed FROM uploads WHERE id = :id"),
                {"id": upload_id}).one()
        assert tuple(counted) == (3, 1)
        db.downgrade(url, "0020")  # and down again, cleanly


def test_an_upload_told_in_parts_ends_once_every_song_of_every_part_ended(sessions):
    upload_id = uuid.uuid4()
    arrived = received(upload_id)
    record(sessions, arrived)
    songs = [FoundSong(song_id=uuid.uuid4(), folder=f"Song {n}") for n in range(5)]
    first, second, third = UploadUnpacked.in_parts(arrived, songs, per_part=2)
    assert record(sessions, third) is None  # parts come in any order
    assert upload(sessions, upload_id).song_total == 5
    for song in songs[:4]:
        assert record(sessions, song_event(SongPublished, upload_id, song.song_id)) is None
    assert record(sessions, first) is None
    ended = record(sessions, song_event(SongPublished, upload_id, songs[4].song_id))
    assert ended is not None and ended.state == "completed"
    again = record(sessions, second)  # late: it records its songs' folders, the end stands
    assert again is not None and again.state == "completed"
    assert upload(sessions, upload_id).state == "completed"
    assert sorted(stages(sessions, upload_id)[s.song_id][1] for s in songs) == [
        s.folder for s in songs]
