"""A library search's filters as one `SearchSyntax` (pure): what was typed in the search box
joined with the filters given as URL parameters.

Consumes a `LibraryQuery`; emits the `SearchSyntax` the index matches and the `Order` its
page is cut in. Raises `BadSearchSyntax` for a search box text that is not understood.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from shared.persistence.library_query import TEXT_FIELDS, LibraryQuery
from shared.search.protocol import Order
from shared.search.syntax import (
    PartFilter,
    RangeFilter,
    SearchSyntax,
    TextFilter,
    parse_search,
)

FLAG_PARAMETERS = {"has_lyrics": "lyrics", "has_solos": "solos", "has_taps": "taps",
                   "has_open_notes": "open", "has_video": "video", "has_issues": "issues",
                   "has_forced": "forced", "has_vocals": "vocals", "has_rolls": "rolls",
                   "has_double_kick": "double_kick", "has_modchart": "modchart"}
DUPLICATE_FLAGS = {"chart": "duplicate_chart", "title": "duplicate_title"}
_RANGES = (("length_s", "length"), ("year", "year"), ("nps", "max_nps"),
           ("avg_nps", "avg_nps"))


def search_syntax(query: LibraryQuery) -> SearchSyntax:
    """Everything `query` asks for: its typed syntax and its parameters, all of them at once."""
    typed = parse_search(query.text or "")
    exact, excluded = set(query.fields_named("exact")), set(query.fields_named("exclude"))
    texts = [TextFilter(field, value.strip(), field in exact, field in excluded)
             for field in TEXT_FIELDS if (value := getattr(query, field)) and value.strip()]
    ranges = [RangeFilter(field, _float(getattr(query, f"min_{name}")),
                          _float(getattr(query, f"max_{name}")))
              for name, field in _RANGES
              if getattr(query, f"min_{name}") is not None
              or getattr(query, f"max_{name}") is not None]
    if query.min_tier is not None or query.max_tier is not None:
        ranges.append(RangeFilter(f"tier:{query.instrument}", _float(query.min_tier),
                                  _float(query.max_tier)))
    if query.modified_after:
        moment = datetime.fromisoformat(query.modified_after)
        ranges.append(RangeFilter("modified", low=moment if moment.tzinfo
                                  else moment.replace(tzinfo=UTC), low_open=True))
    parts = []
    if query.instrument or query.difficulty:
        parts.append(PartFilter(query.instrument, query.difficulty))
    flags = [(flag, wanted) for name, flag in FLAG_PARAMETERS.items()
             if (wanted := getattr(query, name)) is not None]
    if query.duplicates:
        flags.append((DUPLICATE_FLAGS[query.duplicates], True))
    md5s = [m.strip().lower() for m in (query.md5 or "").split(",") if m.strip()]
    hashes = [(kind, value.strip()) for kind, value
              in (("chart", query.chart_hash), ("track", query.track_hash)) if value]
    return replace(
        typed, texts=(*typed.texts, *texts), ranges=(*typed.ranges, *ranges),
        parts=(*typed.parts, *parts), flags=(*typed.flags, *flags),
        drum_types=(*typed.drum_types, *([(query.drum_type, True)] if query.drum_type else [])),
        md5s=(*typed.md5s, *md5s), hashes=(*typed.hashes, *hashes),
        versions=typed.versions or query.versions or _every_version_by_default(query))


def _every_version_by_default(query: LibraryQuery) -> str | None:
    """Copies are what the duplicates view and a hash lookup look for: each is its own row,
    unless the search says otherwise."""
    return "all" if query.duplicates or query.md5 or query.chart_hash or query.track_hash \
        else None


def search_order(query: LibraryQuery, syntax: SearchSyntax) -> Order:
    """The sort asked for; else the most similar first when words were typed, duplicates
    grouped by artist and name, or by name."""
    if query.sort:
        return Order(query.sort, query.descending)
    if syntax.words:
        return Order("relevance", query.descending)
    return Order("artist" if query.duplicates else "name", query.descending)


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)
