"""What makes two song folders the same song however their song.ini is written: folder files
(name -> bytes) in, the chart hash and every other file's name and sha256 out.

A `.sng` carries song.ini as metadata and unpacking one writes a new song.ini, so a `.sng`
exported by the library comes back with a different folder md5. The chart hash still holds
the chart and the ini settings that change how it plays; the other files hold the audio, art
and the rest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from . import folder
from .hashes import chart_hash
from .ini import DEFAULT_METADATA, parse_ini, read_metadata
from .sng import SONG_INI


@dataclass(frozen=True)
class SongContent:
    """A folder's chart hash and (name, sha256) of each file other than song.ini."""

    chart_hash: str | None
    files: frozenset[tuple[str, str]]

    def same_files(self, stored: Iterable[tuple[str, str]]) -> bool:
        """Whether `stored` (name, sha256) pairs, song.ini left out, are exactly these files."""
        return frozenset((n, h) for n, h in stored if n.casefold() != SONG_INI) == self.files


def folder_chart_hash(files: Mapping[str, bytes]) -> str | None:
    """The chart hash a scan reports: the picked chart with the picked ini's modifiers."""
    names = folder.ordered_names(files)
    ini_name = folder.pick_ini(names).name
    song = parse_ini(files[ini_name]).song if ini_name is not None else None
    modifiers = read_metadata(song).values if song is not None else DEFAULT_METADATA
    chart_name = folder.pick_chart(names).name
    return chart_hash(files[chart_name], modifiers) if chart_name is not None else None


def song_content(files: Mapping[str, bytes]) -> SongContent:
    return SongContent(folder_chart_hash(files), frozenset(
        (name, hashlib.sha256(data).hexdigest()) for name, data in files.items()
        if name.casefold() != SONG_INI))
