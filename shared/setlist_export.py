"""A setlist as Clone Hero's `.setlist` file: each song named by the md5 of its raw chart file,
read from the song store (the song's current manifest names the blob). Used by the gateway's
downloads and by sync's Setlists folder."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from shared.song_store import SongStore
from shared.songs.setlist import SetlistEntry, chart_md5, setlist_bytes
from shared.storage import ObjectNotFound


class ChartedSong(Protocol):
    manifest_key: str
    chart_file: str | None


Md5Cache = dict[tuple[str, str], str | None]
"""(manifest key, chart file) → its md5: a revision's files never change, so neither does it."""


def chart_md5_of(songs: SongStore, song: ChartedSong, cache: Md5Cache | None = None) -> str | None:
    """The md5 Clone Hero knows the song by; None for a song without a chart file."""
    if song.chart_file is None:
        return None
    key = (song.manifest_key, song.chart_file)
    if cache is not None and key in cache:
        return cache[key]
    try:
        entry = songs.manifest(song.manifest_key).file(song.chart_file)
        md5 = chart_md5(songs.read(entry)) if entry is not None else None
    except ObjectNotFound:  # a revision whose files are gone for good: no file to name
        md5 = None
    if cache is not None:
        cache[key] = md5
    return md5


def setlist_file(songs: SongStore, setlist_songs: Iterable[ChartedSong],
                 cache: Md5Cache | None = None) -> bytes:
    """The `.setlist` bytes of these songs in order, each at normal speed; a song without a
    chart file, or whose stored files are gone, is left out (Clone Hero could not find it
    anyway); any other store failure raises, to be tried again."""
    md5s = (chart_md5_of(songs, song, cache) for song in setlist_songs)
    return setlist_bytes(SetlistEntry(md5) for md5 in md5s if md5 is not None)
