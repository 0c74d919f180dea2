"""The search benches' fake library loads into the catalog's newest schema: a column the
catalog makes required is one the benches must fill too."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine

from bench.library_data import Library

pytestmark = pytest.mark.integration


def test_the_fake_library_loads_with_a_version_row_per_song(database_url):
    engine = create_engine(database_url)
    raw = engine.raw_connection()
    try:
        library = Library(seed=3)
        with raw.cursor() as cursor:
            library.write(cursor, 300)
            cursor.execute("SELECT count(*), count(DISTINCT v.group_id), "
                           "count(*) FILTER (WHERE v.song_added_at = s.created_at) "
                           "FROM song_versions v JOIN songs s ON s.id = v.song_id "
                           "WHERE s.file_path LIKE 'songs/%' AND s.md5 = replace(s.id::text, "
                           "'-', '')")
            versions, groups, added_with_song = cursor.fetchone()
        assert versions == added_with_song == 300
        assert groups == library.groups
    finally:
        raw.rollback()  # the shared test database keeps none of it
        raw.close()
        engine.dispose()
