"""Songs described as library items on the real PostgreSQL: the counts a page shows (copies of
a chart, charts of a title, versions in a group) are read once for the songs that share them."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text

from shared.persistence.db import transaction
from shared.persistence.library_items import SONG_COLUMNS, describe_songs, songs_by_id
from shared.persistence.tables import Song
from tests.support.catalog_rows import insert_many_songs
from tests.support.rows_read import rows_read

pytestmark = pytest.mark.integration


def test_songs_titled_alike_count_the_charts_of_their_title_once(sessions):
    """As a library full of charts whose song.ini names nothing, all "Unknown Song": a page of
    30 of them reads the title's 400 songs about once, not once per item."""
    token = uuid.uuid4().hex[:12]
    with transaction(sessions) as session:
        insert_many_songs(session, 400, ":path || i", {"title": f"Unknown Song {token}",
                                                       "path": f"songs/unknown-{token}/"},
                          title=":title", artist="'Unknown Artist'", chart_hash=":path || (i % 40)")
        session.execute(text("ANALYZE songs"))
    with transaction(sessions) as session:
        rows = session.execute(select(*SONG_COLUMNS).where(Song.title == f"Unknown Song {token}")
                               .order_by(Song.id).limit(30)).all()
        before = rows_read(session, "songs")
        items = describe_songs(session, rows)
        read = rows_read(session, "songs") - before
        expected = songs_by_id(session, [str(row.id) for row in rows])
    assert items == expected  # the same items as the page-of-results read gives
    assert {item["duplicates"]["other_charts"] for item in items} == {39}
    assert {item["duplicates"]["same_chart"] for item in items} == {9}
    assert read < 2000, f"{read} rows of songs read to describe 30 songs of one title"
