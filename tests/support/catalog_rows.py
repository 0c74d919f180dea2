"""Catalog rows written straight into the database, for tests of what reads them."""

from __future__ import annotations

import uuid

from sqlalchemy import text

from shared.persistence.tables import Song, SongChart


def insert_song(engine, title: str, charts: dict | None = None, **columns) -> uuid.UUID:
    song_id = uuid.uuid4()
    charts = charts or {("guitar", "expert"): 100}
    md5 = columns.pop("md5", uuid.uuid4().hex)
    with engine.begin() as connection:
        connection.execute(Song.__table__.insert().values(
            id=song_id, title=title, artist=columns.pop("artist", "Walker"), md5=md5,
            file_path=f"index-search/{song_id}", manifest_key=f"manifests/{song_id}/1.json",
            metadata=columns.pop("metadata", {}), effective_length_ms=columns.get(
                "song_length_ms", 100_000), instruments=sorted({i for i, _ in charts}),
            parts=[f"{i}:{d}" for i, d in charts], **columns))
        connection.execute(SongChart.__table__.insert(), [
            {"song_id": song_id, "instrument": i, "difficulty": d, "note_count": notes}
            for (i, d), notes in charts.items()])
    return song_id


_BULK_DEFAULTS = {"title": "'Song'", "artist": "'Band'", "metadata": "'{}'", "revision": "1",
                  "parser_version": "1", "manifest_key": "'m'"}


def insert_many_songs(session, count: int, file_path: str, params: dict | None = None,
                      **columns: str) -> None:
    """`count` songs in one statement, for tests of what a large library costs. `file_path`
    and each of `columns` are SQL expressions over `i` (1 to `count`) with `params`; the md5
    is that of the file path, every other column required has a plain default."""
    values = {**_BULK_DEFAULTS, **columns, "file_path": file_path,
              "md5": columns.get("md5", f"md5({file_path})")}
    session.execute(text(
        f"INSERT INTO songs (id, {', '.join(values)}) SELECT gen_random_uuid(), "
        f"{', '.join(values.values())} FROM generate_series(1, {int(count)}) AS i"), params or {})
