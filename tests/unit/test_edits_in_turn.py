"""Edits of one song take turns and build on its newest revision: two edits sent from the same
revision both land, a redelivered edit finds the revision it made, and edits racing in threads
never write the same revision twice."""

from __future__ import annotations

import threading
import uuid

import anyio
import pytest

from services.ingest.consumers import edit
from services.ingest.edit_lock import InProcessSongEditLock, lock_key
from shared.events import SongEdited, SongEditRequested, SongExtracted
from shared.song_store import SongStore
from shared.songs.ini import parse_ini
from shared.storage import InMemoryObjectStore

pytestmark = pytest.mark.unit

SONG_INI = b"[song]\nname = Song\nartist = Band\n"


@pytest.fixture
def songs() -> SongStore:
    objects = InMemoryObjectStore()
    objects.ensure_bucket("songs")
    return SongStore(objects, "songs")


@pytest.fixture
def song(songs) -> tuple[uuid.UUID, str]:
    song_id = uuid.uuid4()
    key, _ = songs.save_revision(song_id, 1, "0" * 32,
                                 {"song.ini": SONG_INI, "notes.chart": b"chart"})
    return song_id, key


def request(song: tuple[uuid.UUID, str], **changes: str) -> SongEditRequested:
    song_id, key = song
    return SongEditRequested.about(song_id, 1, uuid.uuid4(), manifest_key=key, changes=changes)


def ini_of(songs: SongStore, key: str) -> dict[str, str]:
    return dict(parse_ini(dict(songs.files(songs.manifest(key)))["song.ini"]).song or {})


def revision_of(events) -> tuple[int, str]:
    edited, extracted = events
    assert isinstance(edited, SongEdited) and isinstance(extracted, SongExtracted)
    assert edited.revision == extracted.revision
    return edited.revision, edited.manifest_key


def test_two_edits_sent_from_one_revision_both_land(songs, song):
    handler = edit.make_handler(songs)
    first = revision_of(anyio.run(handler, request(song, name="Renamed")))
    second = revision_of(anyio.run(handler, request(song, artist="Other Band")))
    assert (first[0], second[0]) == (2, 3)
    assert ini_of(songs, first[1])["name"] == "Renamed"
    newest = ini_of(songs, second[1])
    assert (newest["name"], newest["artist"]) == ("Renamed", "Other Band")


def test_a_redelivered_edit_finds_the_revision_it_made(songs, song):
    handler = edit.make_handler(songs)
    rename = request(song, name="Renamed")
    made = anyio.run(handler, rename)
    anyio.run(handler, request(song, artist="Other Band"))
    again = anyio.run(handler, rename)
    assert [(e.event_id, e.revision, e.manifest_key) for e in again] == [
        (e.event_id, e.revision, e.manifest_key) for e in made]
    assert songs.revisions(song[0]) == [1, 2, 3]


def test_edits_racing_in_threads_each_get_a_revision_of_their_own(songs, song):
    handler = edit.make_handler(songs, InProcessSongEditLock())
    requests = [request(song, **{f"key{n}": str(n)}) for n in range(6)]
    made: list[int] = []
    threads = [threading.Thread(target=lambda r=r: made.append(
        revision_of(anyio.run(handler, r))[0])) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(made) == [2, 3, 4, 5, 6, 7]
    newest = ini_of(songs, f"manifests/{song[0]}/000007.json")
    assert all(newest[f"key{n}"] == str(n) for n in range(6))


def test_a_songs_lock_key_is_a_bigint_of_its_own():
    first, second = uuid.uuid4(), uuid.uuid4()
    assert lock_key(first) != lock_key(second)
    assert -(2 ** 63) <= lock_key(first) < 2 ** 63
