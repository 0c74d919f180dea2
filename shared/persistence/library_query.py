"""What a library search asks for, and its URL form: `from_params(q.to_params()) == q`.

Consumes URL query parameters; emits a checked `LibraryQuery`. The search box's own syntax
(`text`) is read by shared.search.library_syntax, which joins it with these filters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from shared.songs.events import DIFFICULTIES, DRUM_TYPE_NAMES, INSTRUMENTS
from shared.songs.versions import LIBRARY_VERSIONS

SORTS = ("relevance", "name", "artist", "album", "year", "length", "added", "nps", "modified")
DUPLICATES = ("chart", "title")
TEXT_FIELDS = ("name", "artist", "album", "genre", "year", "charter")
"""Text filters: each contains its value (ignoring case), or equals it when named in `exact`,
or excludes it when named in `exclude`."""
MAX_TEXT = 200
MAX_QUERY = 500
MAX_PER_PAGE = 200
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}
# URL names that differ from the field names; everything else uses the field's own name.
_URL_NAMES = {"text": "q"}
_MD5 = re.compile(r"[0-9a-f]{32}")


class BadLibraryQuery(ValueError):
    """A search parameter is malformed or out of range; the message says which, for a 400."""


@dataclass(frozen=True)
class LibraryQuery:
    """Every filter, the sort and the page of one library search; None means "any"."""

    text: str | None = None
    instrument: str | None = None
    difficulty: str | None = None
    drum_type: str | None = None
    has_lyrics: bool | None = None
    has_solos: bool | None = None
    has_taps: bool | None = None
    has_open_notes: bool | None = None
    has_video: bool | None = None
    min_length_s: int | None = None
    max_length_s: int | None = None
    min_year: int | None = None
    max_year: int | None = None
    genre: str | None = None
    charter: str | None = None
    has_issues: bool | None = None
    duplicates: str | None = None
    sort: str | None = None
    """None sorts by similarity when there is text, else by name."""
    descending: bool = False
    page: int = 1
    per_page: int = 50
    name: str | None = None
    artist: str | None = None
    album: str | None = None
    year: str | None = None
    exact: str | None = None
    """Comma-separated text fields that must equal their value."""
    exclude: str | None = None
    """Comma-separated text fields whose value excludes a song."""
    min_nps: float | None = None
    max_nps: float | None = None
    min_avg_nps: float | None = None
    max_avg_nps: float | None = None
    min_tier: int | None = None
    """The song.ini difficulty tier of `instrument`."""
    max_tier: int | None = None
    has_forced: bool | None = None
    has_vocals: bool | None = None
    has_rolls: bool | None = None
    has_double_kick: bool | None = None
    has_modchart: bool | None = None
    md5: str | None = None
    """Comma-separated folder md5s."""
    chart_hash: str | None = None
    track_hash: str | None = None
    modified_after: str | None = None
    """An ISO date or time."""
    cursor: str | None = None
    """Where the previous page ended (its `next_cursor`); replaces `page`."""
    versions: str | None = None
    """"all": every version of a song its own row; else ("grouped") one row per song."""

    def __post_init__(self) -> None:
        _check_choice("instrument", self.instrument, INSTRUMENTS)
        _check_choice("difficulty", self.difficulty, DIFFICULTIES)
        _check_choice("drum_type", self.drum_type, DRUM_TYPE_NAMES)
        _check_choice("duplicates", self.duplicates, DUPLICATES)
        _check_choice("sort", self.sort, SORTS)
        _check_choice("versions", self.versions, LIBRARY_VERSIONS)
        for name in ("text", *TEXT_FIELDS, "exact", "exclude", "md5", "chart_hash",
                     "track_hash", "modified_after", "cursor"):
            value, most = getattr(self, name), MAX_QUERY if name == "text" else MAX_TEXT
            if name in ("md5", "cursor"):
                most = 5000
            if value is not None and not 0 < len(value) <= most:
                raise BadLibraryQuery(f"{_url_name(name)} must be 1 to {most} characters.")
        for name in ("exact", "exclude"):
            for field in self.fields_named(name):
                _check_choice(name, field, TEXT_FIELDS)
        for name in ("min_length_s", "max_length_s", "min_year", "max_year", "min_nps",
                     "max_nps", "min_avg_nps", "max_avg_nps", "min_tier", "max_tier"):
            if (getattr(self, name) or 0) < 0:
                raise BadLibraryQuery(f"{name} must not be negative.")
        for low in ("length_s", "year", "nps", "avg_nps", "tier"):
            _check_range(f"min_{low}", getattr(self, f"min_{low}"),
                         f"max_{low}", getattr(self, f"max_{low}"))
        if (self.min_tier is not None or self.max_tier is not None) and not self.instrument:
            raise BadLibraryQuery("min_tier and max_tier need an instrument.")
        if self.md5 is not None and not all(
                _MD5.fullmatch(part.strip().lower()) for part in self.md5.split(",")):
            raise BadLibraryQuery("md5 takes md5 hashes (32 hex digits) separated by commas.")
        if self.modified_after is not None:
            try:
                datetime.fromisoformat(self.modified_after)
            except ValueError:
                raise BadLibraryQuery("modified_after must be a date (2024-05-01) or a time "
                                      "(2024-05-01T12:00).") from None
        if self.page < 1:
            raise BadLibraryQuery("page must be 1 or more.")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise BadLibraryQuery(f"per_page must be between 1 and {MAX_PER_PAGE}.")

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> LibraryQuery:
        """From URL query parameters; blank values mean "any" and unknown names are ignored."""
        values: dict[str, Any] = {}
        for field in fields(cls):
            raw = params.get(_url_name(field.name))
            if raw is None or str(raw).strip() == "":
                continue
            values[field.name] = _parse(field.name, field.type, str(raw).strip())
        return cls(**values)

    def to_params(self) -> dict[str, str]:
        """The URL query parameters of this search, leaving out everything at its default."""
        params = {}
        for field in fields(self):
            value = getattr(self, field.name)
            if value != field.default:
                params[_url_name(field.name)] = _format(value)
        return params

    def fields_named(self, name: str) -> list[str]:
        """The text fields listed in `exact` or `exclude`."""
        return [part.strip() for part in (getattr(self, name) or "").split(",") if part.strip()]

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def params_with(params: dict[str, str], changes: dict[str, Any]) -> dict[str, str]:
    """URL parameters `params` (as `to_params` wrote them) with the fields of `changes`
    written in, in the order `to_params` writes them: a narrowed search's link without
    building and checking a whole query again for each one."""
    merged = {**params, **{_url_name(name): _format(value) for name, value in changes.items()
                           if value is not None}}
    return {name: merged[name] for name in _PARAMETER_ORDER if name in merged}


def _url_name(name: str) -> str:
    return _URL_NAMES.get(name, name)


def _parse(name: str, kind: Any, raw: str) -> Any:
    kind = str(kind)
    if "bool" in kind:
        lowered = raw.lower()
        if lowered not in _TRUE | _FALSE:
            raise BadLibraryQuery(f"{_url_name(name)} must be true or false, not {raw!r}.")
        return lowered in _TRUE
    if "int" in kind or "float" in kind:
        number = int if "int" in kind else float
        try:
            value = number(raw)
        except ValueError:
            kind_name = "a whole number" if number is int else "a number"
            raise BadLibraryQuery(f"{name} must be {kind_name}, not {raw!r}.") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise BadLibraryQuery(f"{name} must be a number, not {raw!r}.")
        return value
    return raw


def _format(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _check_choice(name: str, value: str | None, choices: tuple[str, ...]) -> None:
    if value is not None and value not in choices:
        raise BadLibraryQuery(f"{name} must be one of {', '.join(choices)}; not {value!r}.")


def _check_range(low_name: str, low: int | None, high_name: str, high: int | None) -> None:
    if low is not None and high is not None and low > high:
        raise BadLibraryQuery(f"{low_name} is above {high_name}.")


_PARAMETER_ORDER = tuple(_url_name(field.name) for field in fields(LibraryQuery))
