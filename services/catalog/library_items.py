"""How a song looks in library results: its columns, difficulty badges and duplicate labels."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, distinct, func, select, tuple_
from sqlalchemy.orm import Session

from services.catalog.tables import Song, SongChart
from shared.songs.events import DIFFICULTIES, INSTRUMENTS

# Length as players know it: the ini's song_length, else the charted notes' span.
LENGTH = func.coalesce(Song.song_length_ms, Song.effective_length_ms)
_EASY_FIRST = tuple(reversed(DIFFICULTIES))
SONG_COLUMNS = (
    Song.id, Song.title, Song.artist, Song.album, Song.genre, Song.year, Song.charter,
    LENGTH.label("length_ms"), Song.instruments, Song.drum_type, Song.has_lyrics,
    Song.has_solos, Song.has_taps, Song.has_open_notes, Song.has_video, Song.has_issues,
    Song.issue_count, Song.max_nps, Song.album_art_file, Song.preview_start_ms, Song.chart_hash,
    Song.file_path, Song.created_at,
    func.lower(Song.artist).label("artist_key"), func.lower(Song.title).label("title_key"),
)
_HIDDEN = {"title", "artist_key", "title_key", "created_at", "id", "similarity", "total"}


def describe_songs(session: Session, rows: Sequence[Row]) -> list[dict[str, Any]]:
    """JSON-ready items for `rows` (selected with SONG_COLUMNS), badges and labels included."""
    if not rows:
        return []
    parts = _parts(session, [row.id for row in rows])
    same_chart, same_title = _duplicate_counts(session, rows)
    items = []
    for row in rows:
        item = {"id": str(row.id), "name": row.title,
                **{k: v for k, v in row._asdict().items() if k not in _HIDDEN},
                "created_at": row.created_at.isoformat(), "parts": parts.get(row.id, [])}
        if "similarity" in row._fields:
            item["similarity"] = round(row.similarity, 3)
        item["duplicates"] = _duplicates(same_chart.get(row.chart_hash, 1) - 1,
                                         same_title.get((row.artist_key, row.title_key), 1) - 1)
        items.append(item)
    return items


def _parts(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Per song, one badge per instrument: its ini tier and the difficulties charted."""
    charts = session.execute(
        select(SongChart.song_id, SongChart.instrument, SongChart.difficulty,
               SongChart.note_count, SongChart.max_nps, SongChart.ini_tier)
        .where(SongChart.song_id.in_(ids))).all()
    by_song: dict[uuid.UUID, dict[str, dict[str, Any]]] = defaultdict(dict)
    for chart in sorted(charts, key=_chart_order):
        badge = by_song[chart.song_id].setdefault(chart.instrument, {
            "instrument": chart.instrument, "tier": chart.ini_tier, "difficulties": [],
            "notes": {}, "max_nps": None})
        badge["difficulties"].append(chart.difficulty)
        badge["notes"][chart.difficulty] = chart.note_count
        if chart.max_nps is not None:
            badge["max_nps"] = max(badge["max_nps"] or 0, chart.max_nps)
    return {song_id: list(badges.values()) for song_id, badges in by_song.items()}


def _chart_order(chart: Row) -> tuple[int, int]:
    return (INSTRUMENTS.index(chart.instrument) if chart.instrument in INSTRUMENTS else 99,
            _EASY_FIRST.index(chart.difficulty) if chart.difficulty in _EASY_FIRST else 9)


def _duplicate_counts(session: Session, rows: Sequence[Row]):
    """Songs per chart hash, and distinct charts per artist and title, for these rows."""
    hashes = {row.chart_hash for row in rows if row.chart_hash}
    same_chart = dict(session.execute(
        select(Song.chart_hash, func.count()).where(Song.chart_hash.in_(hashes))
        .group_by(Song.chart_hash)).all()) if hashes else {}
    artist, title = func.lower(Song.artist), func.lower(Song.title)
    keys = {(row.artist_key, row.title_key) for row in rows}
    same_title = {(a, t): n for a, t, n in session.execute(
        select(artist, title, func.count(distinct(func.coalesce(Song.chart_hash, Song.md5))))
        .where(tuple_(artist, title).in_(keys)).group_by(artist, title)).all()}
    return same_chart, same_title


def _duplicates(same_chart: int, other_charts: int) -> dict[str, Any]:
    labels = []
    if same_chart:
        labels.append(f"Same chart as {same_chart} other song{'s' if same_chart > 1 else ''}")
    if other_charts:
        labels.append(f"{other_charts} other chart{'s' if other_charts > 1 else ''} "
                      "of this song")
    return {"same_chart": same_chart, "other_charts": other_charts, "labels": labels}
