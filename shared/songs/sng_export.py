"""A library song as a `.sng` Clone Hero loads: song folder files (and what the catalog
measured) in, the container's bytes out, with its metadata filled in.

Clone Hero reads a `.sng`'s name, artist and song_length from its metadata alone; a song with
no song.ini (or one that leaves them out) would show up nameless and refuse to play without a
song_length. So the metadata holds every song.ini pair as written, then, for the keys the ini
lacks, the `.chart`'s own [Song] fields, the measured audio length and the library's fallbacks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from . import folder
from .chart import parse_chart
from .errors import SongFormatError
from .sng import SONG_INI, metadata_from_song_ini, metadata_problem, write_sng
from .text import js_number_parse, js_str

# .chart [Song] metadata (shared.songs.chart) -> the song.ini key Clone Hero reads it from.
_CHART_KEYS = ("name", "artist", "album", "genre", "year", "charter", "diff_guitar", "delay",
               "preview_start_time")


def _is_ini(name: str) -> bool:
    return name.casefold() == SONG_INI


def _chart_song_fields(files: Mapping[str, bytes]) -> dict[str, str]:
    """The .chart's [Song] values as song.ini text (nothing for a .mid or an unreadable one)."""
    pick = folder.pick_chart(folder.ordered_names(files))
    if pick.name is None or folder.extension(pick.name).lower() != "chart":
        return {}
    try:
        metadata = parse_chart(files[pick.name]).metadata
    except SongFormatError:
        return {}
    fields = {}
    for key in _CHART_KEYS:
        value = metadata.get(key)
        if value is not None:
            fields[key] = value if isinstance(value, str) else js_str(value)
    return fields


def _has_length(metadata: Mapping[str, str]) -> bool:
    length = js_number_parse(metadata.get("song_length"))
    return not math.isnan(length) and length > 0


def sng_metadata(files: Mapping[str, bytes], audio_length_ms: float | None = None,
                 fallbacks: Mapping[str, str] | None = None) -> dict[str, str]:
    """song.ini's pairs, then the [Song] fields, audio length and `fallbacks` it lacks."""
    ini_names = sorted(name for name in files if _is_ini(name))
    metadata = metadata_from_song_ini(files[ini_names[0]]) if ini_names else {}
    for key, value in {**(fallbacks or {}), **_chart_song_fields(files)}.items():
        if value and metadata_problem(key, value) is None and not metadata.get(key):
            metadata[key] = value
    if not _has_length(metadata) and audio_length_ms and audio_length_ms > 0:
        metadata["song_length"] = str(round(audio_length_ms))
    return metadata


def song_to_sng(files: Mapping[str, bytes], audio_length_ms: float | None = None,
                fallbacks: Mapping[str, str] | None = None) -> bytes:
    """The folder packed as a `.sng` with `sng_metadata`; song.ini (any case) is not a file
    of it. Raises SngFormatError for file names the format refuses."""
    metadata = sng_metadata(files, audio_length_ms, fallbacks)
    return write_sng(metadata, {name: data for name, data in files.items() if not _is_ini(name)})
