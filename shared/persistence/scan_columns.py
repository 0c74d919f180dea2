"""Pure mapping from a song's scan (`SongScan.as_dict()`) to the catalog's search columns."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from shared.songs.events import DIFFICULTIES, INSTRUMENTS
from shared.songs.notes import DIFFICULTY_KEYS

_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def scan_columns(scan: Mapping[str, Any], year: str | None = None) -> dict[str, Any]:
    """The `songs` columns people search, filter and sort by, from one scan."""
    notes = scan.get("notesData") or {}
    metadata = scan.get("metadata") or {}
    issues = _issue_count(scan, notes)
    nps = [_number(entry.get("nps")) for entry in notes.get("maxNps") or ()]
    return {
        "chart_hash": scan.get("chartHash"),
        "drum_type": notes.get("drumTypeName"),
        "instruments": _ordered_instruments(notes.get("instruments") or ()),
        "has_lyrics": bool(notes.get("hasLyrics")),
        "has_solos": bool(notes.get("hasSoloSections")),
        "has_taps": bool(notes.get("hasTapNotes")),
        "has_open_notes": bool(notes.get("hasOpenNotes")),
        "has_video": bool(scan.get("hasVideoBackground")),
        "has_issues": issues > 0,
        "issue_count": issues,
        "max_nps": max((n for n in nps if n is not None), default=None),
        "effective_length_ms": _milliseconds(notes.get("effectiveLength")),
        "album_art_file": (scan.get("albumArt") or {}).get("file"),
        "preview_start_ms": _milliseconds(metadata.get("preview_start_time")),
        "year_number": release_year(year if year is not None else scan.get("year")),
        "parts": [part_name(row["instrument"], row["difficulty"]) for row in chart_rows(scan)],
    }


def chart_rows(scan: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per instrument and difficulty that has notes, in a stable order."""
    notes = scan.get("notesData") or {}
    metadata = scan.get("metadata") or {}
    nps = {(e.get("instrument"), e.get("difficulty")): _number(e.get("nps"))
           for e in notes.get("maxNps") or ()}
    rows = []
    for entry in notes.get("noteCounts") or ():
        instrument, difficulty = entry.get("instrument"), entry.get("difficulty")
        count = _whole(entry.get("count"))
        if not instrument or not difficulty or not count:
            continue
        rows.append({"instrument": instrument, "difficulty": difficulty, "note_count": count,
                     "max_nps": nps.get((instrument, difficulty)),
                     "ini_tier": _tier(metadata.get(DIFFICULTY_KEYS.get(instrument, "")))})
    return sorted(rows, key=_part_order)


def part_name(instrument: str, difficulty: str) -> str:
    """A playable part as `songs.parts` holds it: "drums:expert"."""
    return f"{instrument}:{difficulty}"


def release_year(year: Any) -> int | None:
    """The first four-digit year in the charter's text ("2008", "Released 1997"), else None."""
    match = _YEAR.search(str(year)) if year is not None else None
    return int(match.group(1)) if match else None


def _issue_count(scan: Mapping[str, Any], notes: Mapping[str, Any]) -> int:
    return sum(len(group or ()) for group in (
        scan.get("folderIssues"), scan.get("metadataIssues"), notes.get("chartIssues")))


def _ordered_instruments(names: Any) -> list[str]:
    # Known instruments first in the game's order, so that arrays compare and display alike.
    unique = list(dict.fromkeys(str(name) for name in names))
    return sorted(unique, key=lambda n: (INSTRUMENTS.index(n) if n in INSTRUMENTS else 99, n))


def _part_order(row: dict[str, Any]) -> tuple[int, int, str]:
    instrument, difficulty = row["instrument"], row["difficulty"]
    return (INSTRUMENTS.index(instrument) if instrument in INSTRUMENTS else 99,
            -DIFFICULTIES.index(difficulty) if difficulty in DIFFICULTIES else 9, instrument)


def _tier(value: Any) -> int | None:
    """The ini's difficulty tier (0-6); -1 and missing mean the charter did not say."""
    tier = _whole(value)
    return tier if tier is not None and tier >= 0 else None


def _milliseconds(value: Any) -> int | None:
    """Whole milliseconds; negative values mean "not set" in song.ini."""
    number = _whole(value)
    return number if number is not None and number >= 0 else None


def _whole(value: Any) -> int | None:
    number = _number(value)
    return None if number is None else int(number)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None
