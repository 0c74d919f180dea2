"""How a song looks in library results: its columns, difficulty badges, duplicate labels, and
its version group with the number of versions in it; songs read by id in a given order, and
the songs holding given hashes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import Row, bindparam, case, distinct, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Session, aliased

from shared.persistence.tables import Song, SongChart, SongVersion
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
_HIDDEN = {"title", "artist_key", "title_key", "created_at", "id"}
# Where each column an item shows as it is lies in a row selected with SONG_COLUMNS first.
_SHOWN = tuple((position, name) for position, name
               in enumerate(select(*SONG_COLUMNS).selected_columns.keys()) if name not in _HIDDEN)


def songs_by_id(session: Session, song_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Items of `song_ids` in that order; songs the catalog no longer holds are left out."""
    if not song_ids:
        return []
    rows = session.execute(_BY_IDS, {"ids": list(song_ids)}).all()
    by_id = {str(row.id): _item(row, row) for row in rows}  # columns and extras in one row
    return [by_id[song_id] for song_id in song_ids if song_id in by_id]


def songs_with_hashes(session: Session, md5s: Sequence[str],
                      hashes: Sequence[tuple[str, str]]) -> set[str] | None:
    """Ids of the songs with one of `md5s` (folder hashes) and every ("chart" or "track",
    hash) of `hashes`; None when nothing is asked."""
    if not md5s and not hashes:
        return None
    conditions = [Song.md5.in_(md5s)] if md5s else []
    for kind, value in hashes:
        conditions.append(Song.chart_hash == value if kind == "chart" else
                          Song.metadata_["notesData"]["trackHashes"].contains([{"hash": value}]))
    return {str(song_id) for song_id in session.execute(select(Song.id).where(*conditions))
            .scalars()}


class _Extras(NamedTuple):
    charts: list[list[Any]] | None
    same_chart: int
    same_title: int
    group_id: Any
    version_count: int


def describe_songs(session: Session, rows: Sequence[Row]) -> list[dict[str, Any]]:
    """JSON-ready items for `rows` (selected with SONG_COLUMNS), badges and labels included.
    Each count is read once per chart, title or version group however many of the rows share
    it: a page of many versions all titled alike (every chart whose song.ini names nothing is
    an "Unknown Song") counts the songs under that title once, not once per version."""
    if not rows:
        return []
    own = {song.id: song for song in session.execute(
        select(Song.id, _CHARTS, _GROUP, Song.duplicate_chart, Song.duplicate_title)
        .where(Song.id.in_([row.id for row in rows])))}
    mine = [(row, own[row.id]) for row in rows if row.id in own]
    copies = _counted(session, [Song.chart_hash], func.count(),
                      {row.chart_hash for row, song in mine if song.duplicate_chart})
    charts = _counted(session, [_ARTIST_KEY, _TITLE_KEY],
                      func.count(distinct(func.coalesce(Song.chart_hash, Song.md5))),
                      {(row.artist_key, row.title_key) for row, song in mine
                       if song.duplicate_title})
    versions = _counted(session, [SongVersion.group_id], func.count(),
                        {song.group_id for _, song in mine})
    extras = {row.id: _Extras(
        song.charts, copies.get(row.chart_hash, 1) if song.duplicate_chart else 1,
        charts.get((row.artist_key, row.title_key), 1) if song.duplicate_title else 1,
        song.group_id, max(versions.get(song.group_id, 0), 1)) for row, song in mine}
    return [_item(row, extras.get(row.id)) for row in rows]


_ARTIST_KEY, _TITLE_KEY = func.lower(Song.artist), func.lower(Song.title)


def _counted(session: Session, columns: list, count, keys: set) -> dict[Any, int]:
    """`count` for each of `keys`: values of the one column, or tuples of the columns' values;
    in one statement."""
    if not keys:
        return {}
    key = columns[0] if len(columns) == 1 else tuple_(*columns)
    found = session.execute(select(*columns, count).where(key.in_(list(keys)))
                            .group_by(*columns))
    return {(row[0] if len(columns) == 1 else tuple(row[:-1])): row[-1] for row in found}


def _item(row: Row, extra: Row | _Extras | None) -> dict[str, Any]:
    """The API's `LibrarySong`, field for field (no more: the API answers items as they are)."""
    item = {"id": str(row.id), "name": row.title,
            **{name: row[position] for position, name in _SHOWN},
            "created_at": row.created_at.isoformat(),
            "parts": _badges(extra.charts if extra else None),
            "similarity": round(row.similarity, 3) if "similarity" in row._fields else None}
    item["duplicates"] = _duplicates(max((extra.same_chart if extra else 0) - 1, 0),
                                     max((extra.same_title if extra else 0) - 1, 0))
    item["versions"] = {"group": str(extra.group_id if extra else row.id),
                        "count": extra.version_count if extra else 1}
    return item


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

# Per song: its version group (a song not placed yet is a group of its own) and its size.
_MINE = aliased(SongVersion)
_MY_GROUP = (select(_MINE.group_id).where(_MINE.song_id == Song.id).correlate_except(_MINE)
             .scalar_subquery())
_GROUP = func.coalesce(_MY_GROUP, Song.id).label("group_id")
_VERSION_COUNT = func.greatest(select(func.count()).select_from(SongVersion).where(
    SongVersion.group_id == _MY_GROUP).scalar_subquery(), 1).label("version_count")

# Songs by id with their extras, one statement compiled once; ids as one array parameter.
_BY_IDS = select(*SONG_COLUMNS, _CHARTS, _SAME_CHART, _SAME_TITLE, _GROUP, _VERSION_COUNT).where(
    Song.id == func.any(bindparam("ids", type_=ARRAY(UUID(as_uuid=False)))))


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
