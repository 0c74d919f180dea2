"""What a song's scan says about its lower difficulties: which parts could be generated from
Expert (and undone), and which were generated before (named by song.ini's marker key).

Consumes the scan a song was cataloged with (`SongParsed.scan`); emits instrument names. The
catalog uses it to ask for generation only when there is something to generate, the song page
to offer the generate and undo buttons.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .song_files import GENERATED_KEY


def expert_only_instruments(scan: Mapping[str, Any]) -> list[str]:
    """The instruments with notes on Expert and on no other difficulty."""
    charted: dict[str, set[str]] = {}
    for entry in (scan.get("notesData") or {}).get("noteCounts") or ():
        instrument, difficulty = entry.get("instrument"), entry.get("difficulty")
        if instrument and difficulty and entry.get("count"):
            charted.setdefault(instrument, set()).add(difficulty)
    return [name for name, difficulties in charted.items() if difficulties == {"expert"}]


def generatable_instruments(scan: Mapping[str, Any]) -> list[str]:
    """The instruments to generate lower difficulties for: those charted on Expert only, in a
    song with a song.ini (without one, nothing would mark them, and they could not be taken
    out again)."""
    issues = {issue.get("folderIssue") for issue in scan.get("folderIssues") or ()}
    return [] if "noMetadata" in issues else expert_only_instruments(scan)


def marked_generated(scan: Mapping[str, Any]) -> list[str]:
    """The instruments song.ini marks as having generated Hard, Medium and Easy."""
    value = str((scan.get("metadata") or {}).get(GENERATED_KEY) or "")
    return [name.strip() for name in value.split(",") if name.strip()]
