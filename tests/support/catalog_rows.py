"""Catalog rows written straight into the database, for tests of what reads them."""

from __future__ import annotations

import uuid

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
