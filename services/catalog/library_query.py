"""What a library search asks for, and its URL form: `from_params(q.to_params()) == q`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from shared.songs.events import DIFFICULTIES, DRUM_TYPE_NAMES, INSTRUMENTS

SORTS = ("name", "artist", "album", "year", "length", "added", "nps")
DUPLICATES = ("chart", "title")
MAX_TEXT = 200
MAX_PER_PAGE = 200
_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}
# URL names that differ from the field names; everything else uses the field's own name.
_URL_NAMES = {"text": "q"}


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

    def __post_init__(self) -> None:
        _check_choice("instrument", self.instrument, INSTRUMENTS)
        _check_choice("difficulty", self.difficulty, DIFFICULTIES)
        _check_choice("drum_type", self.drum_type, DRUM_TYPE_NAMES)
        _check_choice("duplicates", self.duplicates, DUPLICATES)
        _check_choice("sort", self.sort, SORTS)
        for name in ("text", "genre", "charter"):
            value = getattr(self, name)
            if value is not None and not 0 < len(value) <= MAX_TEXT:
                raise BadLibraryQuery(f"{_url_name(name)} must be 1 to {MAX_TEXT} characters.")
        for name in ("min_length_s", "max_length_s", "min_year", "max_year"):
            if (getattr(self, name) or 0) < 0:
                raise BadLibraryQuery(f"{name} must not be negative.")
        _check_range("min_length_s", self.min_length_s, "max_length_s", self.max_length_s)
        _check_range("min_year", self.min_year, "max_year", self.max_year)
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

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _url_name(name: str) -> str:
    return _URL_NAMES.get(name, name)


def _parse(name: str, kind: Any, raw: str) -> Any:
    kind = str(kind)
    if "bool" in kind:
        lowered = raw.lower()
        if lowered not in _TRUE | _FALSE:
            raise BadLibraryQuery(f"{_url_name(name)} must be true or false, not {raw!r}.")
        return lowered in _TRUE
    if "int" in kind:
        try:
            return int(raw)
        except ValueError:
            raise BadLibraryQuery(f"{name} must be a whole number, not {raw!r}.") from None
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
