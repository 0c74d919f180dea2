"""Library search over the catalog: typo-forgiving text, filters, sorts, duplicates."""

from __future__ import annotations

import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    case,
    cast,
    func,
    literal,
    select,
    tuple_,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from shared.persistence.library_items import LENGTH, SONG_COLUMNS, describe_songs
from shared.persistence.library_query import BadLibraryQuery, LibraryQuery
from shared.persistence.scan_columns import part_name
from shared.persistence.tables import SearchWord, Song
from shared.songs.events import INSTRUMENTS

__all__ = ["BadLibraryQuery", "DuplicateGroup", "LibraryPage", "LibraryQuery",
           "duplicate_groups", "search_library"]

# pg_trgm's default (0.6) misses one-letter typos in short words ("amazng" scores 0.57).
WORD_SIMILARITY_THRESHOLD = 0.5
# Typed words shorter than this match library words equal to them or starting with them.
SHORT_WORD = 3
LOOKALIKES_PER_WORD = 50
MAX_TYPED_WORDS = 8
# Anything but letters and digits, as shared.persistence.tables.SEARCH_WORDS splits (PostgreSQL's
# [:punct:] under a UTF-8 locale takes in «», dashes and other symbols of any script).
_WORD_BREAKS = re.compile(r"[\W_]+")
FLAGS = ("has_lyrics", "has_solos", "has_taps", "has_open_notes", "has_video", "has_issues")
_ARTIST, _TITLE = func.lower(Song.artist), func.lower(Song.title)
# Sort keys; the first one of album, year, length and nps may be null: nulls come last both
# ways, and migration 0002 has an index for each direction.
_SORTS: dict[str, tuple[ColumnElement[Any], ...]] = {
    "name": (_TITLE,),
    "artist": (_ARTIST, _TITLE),
    "album": (func.lower(Song.album), _TITLE),
    "year": (Song.year_number, _TITLE),
    "length": (LENGTH,),
    "added": (Song.created_at,),
    "nps": (Song.max_nps,),
    "modified": (Song.updated_at,),
}
_NULLABLE = {"album", "year", "length", "nps"}


@dataclass(frozen=True)
class LibraryPage:
    total: int
    items: list[dict[str, Any]]


@dataclass(frozen=True)
class DuplicateGroup:
    kind: str
    key: str
    songs: list[dict[str, Any]]


def search_library(session: Session, query: LibraryQuery) -> LibraryPage:
    """One page of the songs matching `query`, and how many match in all."""
    conditions = _conditions(query)
    if query.text:
        return _text_search(session, query, conditions)
    total = session.execute(select(func.count()).select_from(Song).where(*conditions)).scalar_one()
    rows = session.execute(
        select(*SONG_COLUMNS).where(*conditions).order_by(*_order(query, None))
        .offset(query.offset).limit(query.per_page)
    ).all()
    return LibraryPage(total=total, items=describe_songs(session, rows))


def _text_search(session: Session, query: LibraryQuery,
                 conditions: list[ColumnElement[bool]]) -> LibraryPage:
    """Songs holding a lookalike of every word typed (short words aside), most similar first,
    counted in the same pass."""
    found = _text_matching(session, query, conditions)
    if found is None:
        return LibraryPage(total=0, items=[])
    matching, similarity = found
    rows = session.execute(
        select(*SONG_COLUMNS, similarity, func.count().over().label("total"))
        .where(*matching).order_by(*_order(query, similarity))
        .offset(query.offset).limit(query.per_page)
    ).all()
    if rows:
        total = rows[0].total
    else:  # past the last page: the window had no row to carry the count
        total = session.execute(select(func.count()).select_from(Song).where(*matching)
                                ).scalar_one()
    return LibraryPage(total=total, items=describe_songs(session, rows))


def matching_song_paths(session: Session, query: LibraryQuery,
                        within: Collection[uuid.UUID] | None = None) -> dict[str, str]:
    """song id → its folder, for every song `query` matches (all pages; only those of
    `within`, when given), in one statement."""
    conditions = _conditions(query)
    if within is not None:
        conditions.append(Song.id.in_(list(within)))
    if query.text:
        found = _text_matching(session, query, conditions)
        if found is None:
            return {}
        conditions = found[0]
    rows = session.execute(select(Song.id, Song.file_path).where(*conditions)).all()
    return {str(row.id): row.file_path for row in rows}


def _text_matching(session: Session, query: LibraryQuery, conditions: list[ColumnElement[bool]]
                   ) -> tuple[list[ColumnElement[bool]], ColumnElement[float]] | None:
    """The conditions a text search adds, and its similarity; None when a word typed matches
    no word of the library."""
    # Local to this transaction, so pooled connections keep the server's defaults. The
    # planner cannot estimate `&&` over a list of words, and would then read every song.
    session.execute(select(
        func.set_config("pg_trgm.word_similarity_threshold", str(WORD_SIMILARITY_THRESHOLD),
                        True),
        func.set_config("enable_seqscan", "off", True)))
    words = typed_words(query.text or "")
    lookalikes = [_lookalikes(session, word) for word in words]
    # Short words ("the", "of", a slip like "teh") only rank; every longer word must be found.
    required = [found for word, found in zip(words, lookalikes, strict=True)
                if len(word) > SHORT_WORD] or lookalikes
    if not required or not all(required):
        return None
    matching = [Song.search_words.overlap(sorted(found)) for found in required] + conditions
    similarity = (sum(_best_score(found) for found in lookalikes if found) / len(lookalikes)
                  ).label("similarity")
    return matching, similarity


def typed_words(text: str) -> list[str]:
    """The words of a search box's text, as the catalog splits its songs' search texts."""
    return [word for word in _WORD_BREAKS.split(text.lower()) if word][:MAX_TYPED_WORDS]


def _lookalikes(session: Session, word: str) -> dict[str, float]:
    """Library words that `word` may be a typo of, or the start of, with their similarity."""
    if len(word) < SHORT_WORD:  # too few trigrams to tell typos apart: whole words or starts
        score: ColumnElement[Any] = case((SearchWord.word == word, 1.0), else_=0.5)
        match = SearchWord.word.startswith(word, autoescape=True)
    else:  # a typo of the whole word, or of its start; the whole word ranks first
        score = func.similarity(word, SearchWord.word)
        match = literal(word).op("<%")(SearchWord.word)
    rows = session.execute(select(SearchWord.word, score).where(match)
                           .order_by(score.desc(), func.length(SearchWord.word), SearchWord.word)
                           .limit(LOOKALIKES_PER_WORD))
    return {found: float(similarity) for found, similarity in rows}


def _best_score(lookalikes: dict[str, float]) -> ColumnElement[float]:
    """How close a song comes to one typed word: its best lookalike's similarity."""
    word = func.unnest(Song.search_words).column_valued("word")
    scores = literal(lookalikes, JSONB)
    best = select(func.max(cast(scores[word].astext, Float))).scalar_subquery()
    return func.coalesce(best, 0.0)


def _conditions(query: LibraryQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.instrument:
        conditions.append(Song.instruments.contains([query.instrument]))
    if query.difficulty:
        conditions.append(_has_part(query.instrument, query.difficulty))
    if query.drum_type:
        conditions.append(Song.drum_type == query.drum_type)
    conditions += [getattr(Song, flag).is_(getattr(query, flag)) for flag in FLAGS
                   if getattr(query, flag) is not None]
    conditions += _ranges(query)
    if query.genre:
        conditions.append(func.lower(Song.genre) == query.genre.lower())
    if query.charter:
        conditions.append(Song.charter.icontains(query.charter, autoescape=True))
    if query.duplicates:
        conditions.append(_in_duplicates(query.duplicates))
    return conditions


def _has_part(instrument: str | None, difficulty: str) -> ColumnElement[bool]:
    if instrument:
        return Song.parts.contains([part_name(instrument, difficulty)])
    return Song.parts.overlap([part_name(name, difficulty) for name in INSTRUMENTS])


def _ranges(query: LibraryQuery) -> list[ColumnElement[bool]]:
    ranges, length = [], LENGTH
    if query.min_length_s is not None:
        ranges.append(length >= query.min_length_s * 1000)
    if query.max_length_s is not None:
        ranges.append(length <= query.max_length_s * 1000)
    if query.min_year is not None:
        ranges.append(Song.year_number >= query.min_year)
    if query.max_year is not None:
        ranges.append(Song.year_number <= query.max_year)
    return ranges


def _in_duplicates(kind: str) -> ColumnElement[bool]:
    return Song.duplicate_chart if kind == "chart" else Song.duplicate_title


def _order(query: LibraryQuery, similarity: ColumnElement[float] | None) -> list[Any]:
    keys: list[Any] = []
    if query.duplicates == "chart":
        keys.append(Song.chart_hash)  # keep each group together
    elif query.duplicates == "title":
        keys += [_ARTIST, _TITLE]
    if similarity is not None and query.sort in (None, "relevance"):
        keys.append(similarity.desc())
    sort = query.sort if query.sort in _SORTS else "name"  # relevance: by similarity above
    for position, column in enumerate(_SORTS[sort]):
        if not query.descending:
            keys.append(column.asc())
        elif position == 0 and sort in _NULLABLE:
            keys.append(column.desc().nulls_last())
        else:
            keys.append(column.desc())
    keys.append(Song.id.desc() if query.descending else Song.id)  # stable pages
    return keys


def duplicate_groups(session: Session, kind: str, limit: int = 100) -> list[DuplicateGroup]:
    """Up to `limit` groups of duplicates: "chart" (same chart) or "title" (same song)."""
    if kind == "chart":
        key_columns: list[ColumnElement[Any]] = [Song.chart_hash]
    elif kind == "title":
        key_columns = [_ARTIST, _TITLE]
    else:
        raise BadLibraryQuery("duplicates must be chart or title.")
    flagged = _in_duplicates(kind)
    keys = select(*key_columns).where(flagged).distinct().order_by(*key_columns).limit(limit)
    condition = tuple_(*key_columns).in_(keys.subquery().select())
    rows = session.execute(select(*SONG_COLUMNS).where(flagged, condition)
                           .order_by(*key_columns, Song.created_at, Song.id)).all()
    groups: dict[str, DuplicateGroup] = {}
    for row, item in zip(rows, describe_songs(session, rows), strict=True):
        key = row.chart_hash if kind == "chart" else f"{row.artist} - {row.title}"
        group_key = row.chart_hash if kind == "chart" else f"{row.artist_key}\n{row.title_key}"
        groups.setdefault(group_key, DuplicateGroup(kind, key, [])).songs.append(item)
    return list(groups.values())

