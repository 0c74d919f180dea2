"""The home page's view of what is in progress: an import run as one, a lone upload on its own,
songs done of their total, the pace over the last minute and the time left."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from shared.persistence.db import transaction
from shared.persistence.tables import Upload, UploadSong
from shared.persistence.upload_activity import in_progress
from shared.persistence.upload_stages import END_STAGES


@pytest.fixture(autouse=True)
def only_this_tests_uploads_in_progress(sessions):
    """The home page shows the newest few uploads in progress: those earlier tests of the
    session left unfinished would crowd out this test's."""
    with transaction(sessions) as session:
        session.execute(text(
            "UPDATE uploads SET state = 'completed', import_run = NULL "
            "WHERE state IN ('receiving', 'received', 'processing') OR import_run IS NOT NULL"))


def an_upload(sessions, *, state: str, song_total: int | None, seconds_ago: float,
              run: str | None = None, planned: int | None = None,
              songs: tuple[tuple[str, float], ...] = ()) -> uuid.UUID:
    """An upload made `seconds_ago`, with songs at (stage, seconds since it got there), counted
    on the upload as the progress consumer counts them."""
    upload_id = uuid.uuid4()
    ended = [stage for stage, _ in songs if stage in END_STAGES]
    with transaction(sessions) as session:
        session.add(Upload(id=upload_id, filename=f"{upload_id}.zip", bucket="b", key="k",
                           state=state, song_total=song_total, import_run=run,
                           import_songs=planned, songs_ended=len(ended),
                           songs_failed=ended.count("failed")))
        session.flush()
        session.execute(text("UPDATE uploads SET created_at = now() - make_interval("
                             "secs => :ago) WHERE id = :id"), {"ago": seconds_ago, "id": upload_id})
        for stage, ago in songs:
            song_id = uuid.uuid4()
            session.add(UploadSong(upload_id=upload_id, song_id=song_id, stage=stage))
            session.flush()
            session.execute(text("UPDATE upload_songs SET updated_at = now() - make_interval("
                                 "secs => :ago) WHERE song_id = :id"), {"ago": ago, "id": song_id})
    return upload_id


def shown(sessions) -> list:
    with sessions() as session:
        return in_progress(session)


def test_an_import_run_shows_as_one_with_its_songs_pace_and_time_left(sessions):
    run = uuid.uuid4().hex
    an_upload(sessions, run=run, planned=10, state="completed", song_total=3, seconds_ago=100,
              songs=(("published", 90), ("duplicate", 30), ("published", 20)))
    an_upload(sessions, run=run, planned=10, state="processing", song_total=2, seconds_ago=40,
              songs=(("failed", 10), ("found", 40)))
    an_upload(sessions, run=run, planned=10, state="failed", song_total=0, seconds_ago=30)
    [activity] = [a for a in shown(sessions) if a.import_run == run]
    assert (activity.uploads, activity.songs_done, activity.songs_total, activity.failed) == (
        3, 5, 10, 2)
    # 3 songs ended in the last minute (the upload that failed whole has no song row).
    assert activity.songs_per_second == pytest.approx(3 / 60, rel=0.05)
    assert activity.eta_seconds == pytest.approx(5 / (3 / 60), rel=0.05)


def test_a_lone_upload_shows_on_its_own_with_its_total_once_unpacked(sessions):
    unpacked = an_upload(sessions, state="processing", song_total=4, seconds_ago=20,
                         songs=(("published", 5), ("found", 20), ("found", 20), ("found", 20)))
    arriving = an_upload(sessions, state="receiving", song_total=None, seconds_ago=2)
    found = {a.name: a for a in shown(sessions)}
    assert (found[f"{unpacked}.zip"].songs_done, found[f"{unpacked}.zip"].songs_total) == (1, 4)
    assert found[f"{unpacked}.zip"].eta_seconds == pytest.approx(60, rel=0.1)
    assert found[f"{unpacked}.zip"].import_run is None
    assert (found[f"{arriving}.zip"].songs_total, found[f"{arriving}.zip"].eta_seconds) == (
        None, None)


def test_what_has_finished_or_stopped_sending_long_ago_is_not_in_progress(sessions):
    finished, abandoned = uuid.uuid4().hex, uuid.uuid4().hex
    an_upload(sessions, run=finished, planned=1, state="completed", song_total=1, seconds_ago=5,
              songs=(("published", 1),))
    an_upload(sessions, run=abandoned, planned=9, state="completed", song_total=1,
              seconds_ago=600, songs=(("published", 590),))
    done = an_upload(sessions, state="completed", song_total=1, seconds_ago=5,
                     songs=(("published", 1),))
    names = {a.name for a in shown(sessions)}
    runs = {a.import_run for a in shown(sessions)}
    assert not {finished, abandoned} & runs
    assert f"{done}.zip" not in names


def test_a_large_upload_in_progress_is_shown_from_its_counters_and_its_latest_songs(sessions):
    songs = (("published", 100.0),) * 2500 + (("found", 100.0),) * 480 + (("published", 5.0),) * 20
    upload_id = an_upload(sessions, state="processing", song_total=3000, seconds_ago=120,
                          songs=songs)
    rows_read = text("SELECT seq_tup_read + coalesce(idx_tup_fetch, 0) "
                     "FROM pg_stat_xact_user_tables WHERE relname = 'upload_songs'")
    with transaction(sessions) as session:
        # PostgreSQL flushes its counts of rows read only between transactions: the
        # difference is this transaction's reads.
        before = session.execute(rows_read).scalar_one()
        [activity] = [a for a in in_progress(session) if a.name == f"{upload_id}.zip"]
        read = session.execute(rows_read).scalar_one() - before
    assert (activity.songs_done, activity.songs_total) == (2520, 3000)
    assert activity.songs_per_second == pytest.approx(20 / 60, rel=0.05)
    assert read <= 100, f"{read} song rows read to show one upload in progress"
