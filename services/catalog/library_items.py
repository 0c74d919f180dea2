"""How a song looks in library results: its columns, difficulty badges and duplicate labels."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, case, distinct, func, select
from sqlalchemy.orm import Session, aliased

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
    extras = {extra.id: extra for extra in session.execute(
        select(Song.id, _CHARTS, _SAME_CHART, _SAME_TITLE)
        .where(Song.id.in_([row.id for row in rows])))}
    items = []
    for row in rows:
        extra = extras.get(row.id)
        item = {"id": str(row.id), "name": row.title,
                **{k: v for k, v in row._asdict().items() if k not in _HIDDEN},
                "created_at": row.created_at.isoformat(),
                "parts": _badges(extra.charts if extra else None)}
        if "similarity" in row._fields:
            item["similarity"] = round(row.similarity, 3)
        item["duplicates"] = _duplicates(max((extra.same_chart if extra else 0) - 1, 0),
                                         max((extra.same_title if extra else 0) - 1, 0))
        items.append(item)
    return items


_OTHER = aliased(Song)
# Per song: its charts as [instrument, difficulty, notes, max nps, ini tier] arrays; the songs
# sharing its chart hash (itself included); the distinct charts under its artist and title.
# Only flagged songs (migration 0010) have copies to count.
_CHARTS = (select(func.json_agg(func.json_build_array(
    SongChart.instrument, SongChart.difficulty, SongChart.note_count, SongChart.max_nps,
    SongChart.ini_tier))).where(SongChart.song_id == Song.id)
    .scalar_subquery().label("charts"))
_SAME_CHART = case((Song.duplicate_chart, select(func.count())
                    .where(_OTHER.chart_hash == Song.chart_hash).scalar_subquery()),
                   else_=1).label("same_chart")
_SAME_TITLE = case((Song.duplicate_title, select(
    func.count(distinct(func.coalesce(_OTHER.chart_hash, _OTHER.md5))))
    .where(func.lower(_OTHER.artist) == func.lower(Song.artist),
           func.lower(_OTHER.title) == func.lower(Song.title)).scalar_subquery()),
    else_=1).label("same_title")


def _badges(charts: list[list[Any]] | None) -> list[dict[str, Any]]:
    """One badge per instrument: its ini tier and the difficulties charted, easiest first."""
    badges: dict[str, dict[str, Any]] = {}
    for instrument, difficulty, notes, max_nps, tier in sorted(charts or (), key=_chart_order):
        badge = badges.setdefault(instrument, {
            "instrument": instrument, "tier": tier, "difficulties": [], "notes": {},
            "max_nps": None})
        badge["difficulties"].append(difficulty)
        badge["notes"][difficulty] = notes
        if max_nps is not None:
            badge["max_nps"] = max(badge["max_nps"] or 0, max_nps)
    return list(badges.values())


def _chart_order(chart: Sequence[Any]) -> tuple[int, int]:
    instrument, difficulty = chart[0], chart[1]
    return (INSTRUMENTS.index(instrument) if instrument in INSTRUMENTS else 99,
            _EASY_FIRST.index(difficulty) if difficulty in _EASY_FIRST else 9)


def _duplicates(same_chart: int, other_charts: int) -> dict[str, Any]:
    labels = []
    if same_chart:
        labels.append(f"Same chart as {same_chart} other song{'s' if same_chart > 1 else ''}")
    if other_charts:
        labels.append(f"{other_charts} other chart{'s' if other_charts > 1 else ''} "
                      "of this song")
    return {"same_chart": same_chart, "other_charts": other_charts, "labels": labels}
