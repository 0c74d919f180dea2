"""Writing changes into a `song.ini`, keeping every other line as it was (written as UTF-8)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from .text import decode_text

_SECTION = re.compile(r"^\s*\[(.+)]\s*$")
_KEY = re.compile(r"^\s*([^=;#]+?)\s*=")


def apply_ini_changes(data: bytes | None, changes: Mapping[str, str | None]) -> bytes:
    """`data` with each key of `changes` set in `[song]` (None removes it); a missing `[song]`
    section is added. Keys match case-insensitively; other sections and comments stay."""
    lines = re.split(r"\r?\n", decode_text(data)) if data else []
    pending = {key.lower(): value for key, value in changes.items()}
    changed = set(pending)
    output: list[str] = []
    in_song = False
    song_seen = False
    for line in lines:
        section = _SECTION.match(line)
        if section:
            if in_song:
                output.extend(_assignments(pending))
            in_song = section.group(1).strip().lower() == "song"
            song_seen = song_seen or in_song
            output.append(line)
            continue
        key = _KEY.match(line)
        name = key.group(1).strip().lower() if key else None
        if in_song and name in changed:
            value = pending.pop(name, None)  # a duplicate key's later lines are dropped
            if value is not None:
                output.append(f"{name} = {value}")
            continue
        output.append(line)
    if in_song:
        output.extend(_assignments(pending))
    elif not song_seen:
        output = ["[song]", *_assignments(pending), *output]
    while output and not output[-1].strip():
        output.pop()
    return ("\r\n".join(output) + "\r\n").encode("utf-8")


def _assignments(pending: dict[str, str | None]) -> list[str]:
    lines = [f"{key} = {value}" for key, value in pending.items() if value is not None]
    pending.clear()
    return lines
