"""The INSERT … ON CONFLICT statements the per-message writers use are compiled once: each has
a cache key (a PostgreSQL `insert()` has none, so SQLAlchemy compiles it at every execution),
and the SQL says what the writer asked for."""

from __future__ import annotations

import pytest
from sqlalchemy.dialects import postgresql

from shared.outbox import _ADD
from shared.persistence.conflict_inserts import insert_new
from shared.persistence.song_versions import _PUT
from shared.persistence.tables import SongVersion

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("statement", [_ADD, _PUT], ids=["outbox", "song_versions"])
def test_the_writers_statements_are_cached(statement):
    assert statement._generate_cache_key() is not None


def test_a_conflict_updates_the_columns_named_and_sets_the_others_given():
    statement = insert_new(SongVersion.__table__, ("song_id", "group_id", "title_key"),
                           conflict=("song_id",), update=("group_id",),
                           also_set={"updated_at": "now()"}, returning="song_id")
    sql = " ".join(str(statement.compile(dialect=postgresql.dialect())).split())
    assert sql == ('INSERT INTO "song_versions" ("song_id", "group_id", "title_key") VALUES '
                   '(%(song_id)s::UUID, %(group_id)s::UUID, %(title_key)s) ON CONFLICT ("song_id") '
                   'DO UPDATE '
                   'SET "group_id" = excluded."group_id", "updated_at" = now() '
                   'RETURNING "song_id"')
