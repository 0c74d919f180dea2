"""The search index's feed: loads a `SongIndex` from the catalog's `songs` table and keeps it
current from the table's change notifications (migrations 0015 and 0019).

Consumes: rows of `songs` (with `song_charts` and each song's group in `song_versions`), read
in bulk through a server-side cursor, and the `song_changes` notifications PostgreSQL sends on
commit (a song id, or "*" for all), for a song's own row and for its version group's.
Emits: nothing; the gateway reads the index through `SearchFeed.reading()`.

A listener thread re-reads each changed song by id and puts or removes it; when its
connection is lost, or "*" arrives, it builds a new index from scratch and swaps it in, so
the index never misses a change for longer than a reconnection.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import select
import threading
from collections.abc import Iterator
from typing import Any

import psycopg2
from sqlalchemy.engine import make_url

from shared.search.index import IndexedSong, SongIndex
from shared.songs.notes import DIFFICULTY_KEYS

CHANNEL = "song_changes"
# Rows read at a time while loading: a few hundred rows cost well under a megabyte, where
# thousands at once (their tuples, strings and lists) cost 9 MB beside the index being built.
CHUNK = 500
RECONNECT_AFTER = 1.0
APPLICATION_NAME = "chhub-search-feed"
log = logging.getLogger(__name__)

# Flags the songs table has no column for, read from the stored scan.
_SCAN_FLAGS = {"forced": "hasForcedNotes", "vocals": "hasVocals", "rolls": "hasFlexLanes",
               "double_kick": "has2xKick"}
_COLUMN_FLAGS = {"solos": "has_solos", "taps": "has_taps", "open": "has_open_notes",
                 "lyrics": "has_lyrics", "video": "has_video", "issues": "has_issues",
                 "duplicate_chart": "duplicate_chart", "duplicate_title": "duplicate_title"}
_FLAG_NAMES = (*_COLUMN_FLAGS, *_SCAN_FLAGS, "modchart")
SONG_QUERY = f"""
    SELECT s.id::text, s.title, s.artist, s.album, s.genre, s.year, s.charter,
           coalesce(s.song_length_ms, s.effective_length_ms) / 1000.0, s.year_number,
           s.max_nps,
           (SELECT max(c.note_count) FROM song_charts c WHERE c.song_id = s.id)
               / nullif(s.effective_length_ms / 1000.0, 0),
           extract(epoch FROM s.updated_at), extract(epoch FROM s.created_at), s.drum_type,
           s.parts,
           ARRAY[{", ".join(f"s.{column}" for column in _COLUMN_FLAGS.values())},
                 {", ".join(f"(s.metadata->'notesData'->>'{key}')::boolean"
                            for key in _SCAN_FLAGS.values())},
                 (s.metadata->'metadata'->>'modchart')::boolean],
           ARRAY[{", ".join(f"s.metadata->'metadata'->>'{key}'"
                            for key in DIFFICULTY_KEYS.values())}],
           v.group_id::text
    FROM songs s LEFT JOIN song_versions v ON v.song_id = s.id"""
_BY_ID = SONG_QUERY + " WHERE s.id = ANY(%s::uuid[])"


def indexed_song(row: tuple[Any, ...]) -> IndexedSong:
    """One song of the index from one row of SONG_QUERY."""
    (song_id, title, artist, album, genre, year, charter, length, year_number, max_nps,
     avg_nps, modified, added, drum_type, parts, flags, tiers, group) = row
    return IndexedSong(
        id=song_id, name=title, artist=artist, album=album, genre=genre, year=year,
        charter=charter, length=_number(length), year_number=year_number,
        max_nps=_number(max_nps), avg_nps=_number(avg_nps), modified=float(modified),
        added=float(added), drum_type=drum_type, parts=tuple(parts),
        flags=frozenset(name for name, has in zip(_FLAG_NAMES, flags, strict=True) if has),
        tiers={instrument: int(tier) for instrument, tier
               in zip(DIFFICULTY_KEYS, tiers, strict=True) if _whole(tier)}, group=group)


def load_index(connection: Any) -> SongIndex:
    """Every song of the catalog in a new index, read in chunks by a server-side cursor."""
    index = SongIndex()
    with connection.cursor(name="search_index_load") as cursor:
        cursor.itersize = CHUNK
        cursor.execute(SONG_QUERY)
        while rows := cursor.fetchmany(CHUNK):
            for row in rows:  # one row per song id
                index.put(indexed_song(row), new=True)
    connection.rollback()  # the cursor's transaction: nothing was written
    index.settle(force=True)
    return index


def read_songs(connection: Any, song_ids: set[str]) -> list[IndexedSong]:
    """The songs of `song_ids` the catalog holds now (a deleted one has no row)."""
    with connection.cursor() as cursor:
        cursor.execute(_BY_ID, (sorted(song_ids),))
        rows = cursor.fetchall()
    connection.rollback()  # the next read sees what commits meanwhile
    return [indexed_song(row) for row in rows]


def refresh(index: SongIndex, song_ids: set[str], songs: list[IndexedSong]) -> None:
    """Puts `songs` (read for `song_ids`) and removes those of `song_ids` not among them."""
    for song in songs:
        index.put(song)
    for song_id in song_ids - {song.id for song in songs}:
        index.remove(song_id)


class SearchFeed:
    """A current `SongIndex` of the catalog at `database_url` (as in the settings)."""

    def __init__(self, database_url: str) -> None:
        self.dsn = make_url(database_url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        self._index = SongIndex()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None
        self.rebuilds = 0

    @contextlib.contextmanager
    def reading(self) -> Iterator[SongIndex]:
        """The index, held still while the caller searches it."""
        with self._lock:
            yield self._index

    def start(self, timeout: float | None = None) -> bool:
        """Loads the index and starts following changes; True once loaded."""
        self._thread = threading.Thread(target=self._follow, name="search-feed", daemon=True)
        self._thread.start()
        return self._ready.wait(timeout)

    def wait(self, timeout: float | None = None) -> bool:
        """Whether the index has been loaded, waiting up to `timeout` seconds for it."""
        return self._ready.wait(timeout)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def rebuild(self) -> None:
        """Builds the index from scratch (as after `chhub replay`) and swaps it in."""
        with contextlib.closing(psycopg2.connect(self.dsn)) as connection:
            self._swap(load_index(connection))

    def _swap(self, index: SongIndex) -> None:
        with self._lock:
            self._index = index
        self.rebuilds += 1
        self._ready.set()
        give_back_memory()

    def _follow(self) -> None:
        while not self._stopping.is_set():
            try:
                with contextlib.closing(psycopg2.connect(
                        self.dsn, application_name=APPLICATION_NAME)) as connection:
                    self._listen(connection)
            except psycopg2.Error:
                log.warning("search feed lost its connection; rebuilding", exc_info=True)
                self._stopping.wait(RECONNECT_AFTER)

    def _listen(self, connection: Any) -> None:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f"LISTEN {CHANNEL}")
        with contextlib.closing(psycopg2.connect(self.dsn)) as reader:
            # Listening before loading: whatever commits after the load's snapshot is
            # announced, and re-reading a song twice changes nothing.
            self._swap(load_index(reader))
            while not self._stopping.is_set():
                if select.select([connection], [], [], 0.5) == ([], [], []):
                    continue
                connection.poll()
                changed = {note.payload for note in connection.notifies}
                connection.notifies.clear()
                if "*" in changed:
                    self._swap(load_index(reader))
                elif changed:
                    songs = read_songs(reader, changed)
                    with self._lock:
                        refresh(self._index, changed, songs)


def give_back_memory() -> None:
    """Returns the heap a load freed to the system (glibc keeps it otherwise: at 200,000
    songs, 400 MB resident after a load, 250 MB after this); nothing elsewhere."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _whole(value: Any) -> bool:
    if value is None:  # most songs leave most tiers out: no exception raised for each
        return False
    try:
        return int(value) >= 0
    except (TypeError, ValueError):
        return False
