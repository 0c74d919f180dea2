"""Library result rows read on connections of their own (SongRows) on the real PostgreSQL:
the same items as the ORM read, a connection the server dropped replaced, a database away
reported as SQLAlchemy reports it."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from shared.persistence.library_items import songs_by_id
from shared.persistence.library_rows import APPLICATION_NAME, SongRows
from shared.persistence.tables import Song, SongChart

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def engine(database_url):
    engine = create_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def song_ids(engine):
    ids = [uuid.uuid4() for _ in range(3)]
    with engine.begin() as connection:
        for number, song_id in enumerate(ids):
            connection.execute(Song.__table__.insert().values(
                id=song_id, title=f"Rows Song {number}", artist="Rows Band",
                file_path=f"Rows Band/{song_id}", metadata={}, md5=uuid.uuid4().hex,
                manifest_key=f"manifests/{song_id}/1.json", instruments=["drums"],
                parts=["drums:expert"], chart_hash="rows-chart", duplicate_chart=number < 2))
            connection.execute(SongChart.__table__.insert().values(
                song_id=song_id, instrument="drums", difficulty="expert", note_count=100 + number,
                max_nps=5.5, ini_tier=number))
    yield [str(song_id) for song_id in ids]
    with engine.begin() as connection:
        connection.execute(Song.__table__.delete().where(Song.id.in_(ids)))


def test_rows_are_the_items_the_orm_reads_in_the_order_asked(engine, database_url, song_ids):
    asked = [song_ids[2], str(uuid.uuid4()), song_ids[0], song_ids[1]]
    rows = SongRows(database_url)
    try:
        items = rows.read(asked)
        assert [item["id"] for item in items] == [song_ids[2], song_ids[0], song_ids[1]]
        with Session(engine) as session:
            assert items == songs_by_id(session, asked)
        assert items[1]["duplicates"]["same_chart"] == 2  # three folders share the chart
        assert items[0]["parts"][0]["notes"] == {"expert": 102}
        assert rows.read([]) == []
    finally:
        rows.close()


def test_a_connection_the_server_dropped_is_replaced(engine, database_url, song_ids):
    rows = SongRows(database_url)
    try:
        assert len(rows.read(song_ids)) == 3
        with engine.begin() as connection:
            dropped = connection.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = :name AND datname = current_database()"),
                {"name": APPLICATION_NAME}).scalar_one()
        assert dropped >= 1
        assert [item["id"] for item in rows.read(song_ids)] == song_ids
    finally:
        rows.close()


def test_a_database_away_raises_what_an_orm_read_raises():
    rows = SongRows("postgresql+psycopg2://postgres@127.0.0.1:1/nowhere")
    with pytest.raises(OperationalError):
        rows.read([str(uuid.uuid4())])
