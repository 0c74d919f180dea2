"""The one writer of the `song_charts` table: a song's playable parts (instrument and
difficulty, note counts), kept beside the song and replaced with it."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from shared.persistence.scan_columns import chart_rows
from shared.persistence.tables import SongChart


def replace_song_charts(session: Session, song_id: uuid.UUID, scan: Mapping[str, Any]) -> None:
    """Make the song's `song_charts` rows those of `scan`; the caller owns the transaction."""
    session.execute(delete(SongChart).where(SongChart.song_id == song_id))
    rows = chart_rows(scan)
    if rows:
        session.execute(insert(SongChart), [{"song_id": song_id, **row} for row in rows])
