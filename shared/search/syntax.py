"""The library search box's query syntax, parsed into a `SearchSyntax` (pure; no I/O).

    iron maiden                     words of the name, artist, album, genre or charter
    artist:"iron maiden"            a text field contains the value (ignoring case)
    artist="Iron Maiden"            ... equals it (ignoring case)
    -charter:foo                    a leading minus excludes whatever follows
    nps>8  year:1990..1999  length<3:30  avgnps:4..  drums.tier>=4  diff_bass:..2
    drums:expert  keys:any          a part charted (instrument:difficulty or :any)
    difficulty:expert               any instrument charted at that difficulty
    has:solos  no:video             has / has not (see FLAGS)
    drumtype:pro  md5:a1…,b2…  charthash:…  trackhash:…  modified>2024-05-01
    versions:all                    every version of a song its own row (versions:grouped:
                                    one row per song, the default)

Text fields: name (title, song), artist, album, genre, year, charter. Anything not understood
raises `BadSearchSyntax`, whose message names the part and where it starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.songs.events import DIFFICULTIES, DRUM_TYPE_NAMES, INSTRUMENTS
from shared.songs.notes import DIFFICULTY_KEYS
from shared.songs.versions import LIBRARY_VERSIONS

MAX_QUERY = 500
MAX_WORDS = 8
MAX_HASHES = 100
TEXT_FIELDS = {"name": "name", "title": "name", "song": "name", "artist": "artist",
               "album": "album", "genre": "genre", "year": "year", "charter": "charter"}
# Field → what it ranges over; tiers are added below, one per instrument.
RANGE_FIELDS = {"length": "length", "len": "length", "year": "year", "nps": "max_nps",
                "maxnps": "max_nps", "avgnps": "avg_nps", "modified": "modified",
                "updated": "modified"}
FLAGS = {"solos": "solos", "solo": "solos", "forced": "forced", "open": "open",
         "opens": "open", "taps": "taps", "tap": "taps", "lyrics": "lyrics",
         "vocals": "vocals", "rolls": "rolls", "roll": "rolls", "2xkick": "double_kick",
         "doublekick": "double_kick", "issues": "issues", "video": "video",
         "modchart": "modchart"}
DRUM_TYPES = {"fourlane": "fourLane", "4": "fourLane", "4lane": "fourLane",
              "fourlanepro": "fourLanePro", "pro": "fourLanePro", "fivelane": "fiveLane",
              "5": "fiveLane", "5lane": "fiveLane"}
for _instrument, _ini_key in DIFFICULTY_KEYS.items():
    RANGE_FIELDS[f"{_instrument}.tier"] = RANGE_FIELDS[_ini_key] = f"tier:{_instrument}"
_TOKEN = re.compile(r'(?P<neg>-)?(?:(?P<key>[A-Za-z_][\w.]*)(?P<op>>=|<=|:|=|>|<))?'
                    r'(?P<value>"[^"]*"?|[^\s"]*)')
_WORD_BREAKS = re.compile(r"[\W_]+")
_HEX = re.compile(r"[0-9a-f]{32}")
_HASH = re.compile(r"[A-Za-z0-9_=+/-]{8,128}")
_NUMBER = re.compile(r"\d+(\.\d+)?|\d+:[0-5]\d")
Bound = float | datetime | None


class BadSearchSyntax(ValueError):
    """Part of a search was not understood; the message says which part and why."""


@dataclass(frozen=True)
class TextFilter:
    field: str
    value: str
    exact: bool = False
    exclude: bool = False


@dataclass(frozen=True)
class RangeFilter:
    """`field` within [low, high]; an open end excludes that bound itself (`nps>8`)."""

    field: str
    low: Bound = None
    high: Bound = None
    low_open: bool = False
    high_open: bool = False
    exclude: bool = False


@dataclass(frozen=True)
class PartFilter:
    instrument: str | None
    """None: any instrument (at `difficulty`)."""
    difficulty: str | None = None
    """None: any difficulty of the instrument."""
    exclude: bool = False


@dataclass(frozen=True)
class SearchSyntax:
    words: tuple[str, ...] = ()
    excluded_words: tuple[str, ...] = ()
    texts: tuple[TextFilter, ...] = ()
    ranges: tuple[RangeFilter, ...] = ()
    parts: tuple[PartFilter, ...] = ()
    flags: tuple[tuple[str, bool], ...] = ()
    drum_types: tuple[tuple[str, bool], ...] = ()
    md5s: tuple[str, ...] = ()
    hashes: tuple[tuple[str, str], ...] = ()
    """("chart" or "track", hash) pairs."""
    versions: str | None = None
    """One of LIBRARY_VERSIONS; None: not said (the library groups them)."""

    @property
    def is_empty(self) -> bool:
        return self == SearchSyntax()


def parse_search(text: str) -> SearchSyntax:
    """The filters written in `text`; raises BadSearchSyntax for what is not understood."""
    if len(text) > MAX_QUERY:
        raise BadSearchSyntax(f"The search is longer than {MAX_QUERY} characters.")
    found: dict[str, list] = {name: [] for name in (
        "words", "excluded_words", "texts", "ranges", "parts", "flags", "drum_types", "md5s",
        "hashes", "versions")}
    position = 0
    while True:
        while position < len(text) and text[position].isspace():
            position += 1
        if position >= len(text):
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise BadSearchSyntax(f"“{text[position:position + 20]}” at character "
                                  f"{position + 1} was not understood.")
        _read_token(match, found)
        position = match.end()
    if len(found["words"]) > MAX_WORDS:
        raise BadSearchSyntax(f"At most {MAX_WORDS} words can be searched for at once.")
    versions = found.pop("versions")
    return SearchSyntax(**{name: tuple(values) for name, values in found.items()},
                        versions=versions[-1] if versions else None)


def _read_token(match: re.Match, found: dict[str, list]) -> None:
    negated, key, op = bool(match["neg"]), match["key"], match["op"]
    raw = match["value"]
    where = f"“{match[0]}” (character {match.start() + 1})"
    if raw.startswith('"') and (len(raw) == 1 or not raw.endswith('"')):
        raise BadSearchSyntax(f"{where}: a quote is opened but never closed.")
    value = raw[1:-1] if raw.startswith('"') else raw
    if key is None:
        words = [w for w in _WORD_BREAKS.split(value.lower()) if w]
        found["excluded_words" if negated else "words"].extend(words)
        return
    name = key.lower()
    if not value.strip():
        raise BadSearchSyntax(f"{where}: “{key}{op}” needs a value after it.")
    if name == "year" and op in ":=" and not _looks_like_range(value):
        pass  # a year written as text ("Released 1997"): a text filter
    elif name in RANGE_FIELDS:
        found["ranges"].append(_range(RANGE_FIELDS[name], op, value, negated, where))
        return
    if name in TEXT_FIELDS:
        if op not in ":=":
            raise BadSearchSyntax(f"{where}: {key} takes “:” (contains) or “=” (equals), "
                                  f"not “{op}”.")
        found["texts"].append(TextFilter(TEXT_FIELDS[name], value.strip(), op == "=", negated))
    elif name in INSTRUMENTS:
        found["parts"].append(_part(name, op, value, negated, where))
    elif name == "difficulty":
        part = _part("difficulty", op, value, negated, where)
        found["parts"].append(PartFilter(None, part.difficulty, negated))
    elif name in ("has", "no"):
        flag = FLAGS.get(value.lower())
        if flag is None or op != ":":
            raise BadSearchSyntax(f"{where}: {key}: takes one of {', '.join(sorted(FLAGS))}.")
        found["flags"].append((flag, (name == "has") != negated))
    elif name in ("drumtype", "drums.type"):
        drum_type = DRUM_TYPES.get(value.lower())
        if drum_type is None or op not in ":=":
            raise BadSearchSyntax(f"{where}: drumtype: takes one of "
                                  f"{', '.join(DRUM_TYPE_NAMES)} (or 4, pro, 5).")
        found["drum_types"].append((drum_type, not negated))
    elif name == "md5":
        found["md5s"].extend(_md5s(value, op, negated, where))
    elif name == "versions":
        if op not in ":=" or negated or value.lower() not in LIBRARY_VERSIONS:
            raise BadSearchSyntax(f"{where}: versions: takes "
                                  f"{' or '.join(LIBRARY_VERSIONS)}.")
        found["versions"].append(value.lower())
    elif name in ("charthash", "trackhash"):
        if op not in ":=" or negated or not _HASH.fullmatch(value):
            raise BadSearchSyntax(f"{where}: {key}: takes one hash (letters and digits).")
        found["hashes"].append((name.removesuffix("hash"), value))
    else:
        raise BadSearchSyntax(f"{where}: “{key}” is not a field this search knows; put the "
                              "words in quotes to search for them as they are.")


def _looks_like_range(value: str) -> bool:
    return bool(re.fullmatch(r"\d*(\.\.\d*)?", value)) and value not in ("", "..")


def _part(instrument: str, op: str, value: str, negated: bool, where: str) -> PartFilter:
    difficulty = value.lower()
    if op != ":" or (difficulty != "any" and difficulty not in DIFFICULTIES):
        raise BadSearchSyntax(f"{where}: {instrument}: takes a difficulty "
                              f"({', '.join(reversed(DIFFICULTIES))}) or any.")
    return PartFilter(instrument, None if difficulty == "any" else difficulty, negated)


def _md5s(value: str, op: str, negated: bool, where: str) -> list[str]:
    md5s = [item.strip().lower() for item in value.split(",") if item.strip()]
    if op not in ":=" or negated or not md5s or not all(_HEX.fullmatch(m) for m in md5s):
        raise BadSearchSyntax(f"{where}: md5: takes md5 hashes (32 hex digits) separated by "
                              "commas.")
    if len(md5s) > MAX_HASHES:
        raise BadSearchSyntax(f"{where}: at most {MAX_HASHES} md5s at once.")
    return md5s


def _range(name: str, op: str, value: str, negated: bool, where: str) -> RangeFilter:
    def bound(text: str) -> Bound:
        return _bound(name, text, where) if text else None

    if op == ":" and ".." in value:
        low_text, _, high_text = value.partition("..")
        low, high = bound(low_text), bound(high_text)
        if low is None and high is None:
            raise BadSearchSyntax(f"{where}: a range needs at least one end (“a..b”, “a..”, "
                                  "“..b”).")
        if low is not None and high is not None and low > high:  # type: ignore[operator]
            raise BadSearchSyntax(f"{where}: the range starts above where it ends.")
        return RangeFilter(name, low, high, exclude=negated)
    number = bound(value)
    if op in (":", "="):
        return RangeFilter(name, number, number, exclude=negated)
    if op in (">", ">="):
        return RangeFilter(name, low=number, low_open=op == ">", exclude=negated)
    return RangeFilter(name, high=number, high_open=op == "<", exclude=negated)


def _bound(name: str, text: str, where: str) -> Bound:
    if name == "modified":
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise BadSearchSyntax(f"{where}: “{text}” is not a date (write 2024-05-01 or "
                                  "2024-05-01T12:00).") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if not _NUMBER.fullmatch(text):
        raise BadSearchSyntax(f"{where}: “{text}” is not a number"
                              + (" (seconds, or minutes:seconds)." if name == "length" else "."))
    if ":" in text:
        if name != "length":
            raise BadSearchSyntax(f"{where}: only length takes minutes:seconds.")
        minutes, seconds = text.split(":")
        return float(int(minutes) * 60 + int(seconds))
    return float(text)
