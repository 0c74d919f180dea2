"""The sync service tells Syncthing which song folders changed, and Syncthing trouble never
loses a publish."""

from __future__ import annotations

import uuid

import pytest

from services.sync.consumers.publish import make_handler
from services.sync.content_folder import ContentFolder
from services.sync.rescans import BatchedRescans
from services.sync.sharing import SCAN_PATHS_PER_REQUEST, ContentSharing
from shared.events import SongCataloged, SongDeleted, SongPublished
from shared.song_store import SongStore
from shared.storage import InMemoryObjectStore
from shared.syncthing import (
    CUSTOM_FOLDER,
    SETLISTS_FOLDER,
    SONGS_FOLDER,
    InMemorySyncthing,
    content_folders,
    folder_of,
)


def cataloged(song_id: uuid.UUID, revision: int, key: str, path: str,
              previous: str | None = None) -> SongCataloged:
    return SongCataloged(event_id=uuid.uuid4(), song_id=song_id, revision=revision,
                         manifest_key=key, content_path=path, previous_content_path=previous)


@pytest.fixture
def songs() -> SongStore:
    store = InMemoryObjectStore()
    store.ensure_bucket("songs")
    return SongStore(store, "songs")


@pytest.fixture
def syncthing() -> InMemorySyncthing:
    return InMemorySyncthing()


@pytest.fixture
def publish(songs, syncthing, tmp_path):
    return make_handler(songs, ContentFolder(tmp_path), ContentSharing(syncthing, tmp_path))


def test_song_paths_map_to_the_songs_folder_and_a_sub_path():
    assert folder_of("songs/Artist/Title_abcd1234") == (SONGS_FOLDER, "Artist/Title_abcd1234")
    assert folder_of("custom/Highways/blue.png") == (CUSTOM_FOLDER, "Highways/blue.png")
    with pytest.raises(ValueError):
        folder_of("songs")


def test_the_library_shares_songs_and_custom_send_only(tmp_path):
    specs = {spec.id: spec for spec in content_folders(tmp_path)}
    assert specs[SONGS_FOLDER].path == tmp_path / "songs"
    assert specs[CUSTOM_FOLDER].path == tmp_path / "custom"
    assert {spec.type for spec in specs.values()} == {"sendonly"}


def test_a_rig_paired_before_a_folder_existed_receives_it_at_the_next_start(tmp_path):
    syncthing = InMemorySyncthing()
    custom = next(spec for spec in content_folders(tmp_path) if spec.id == CUSTOM_FOLDER)
    syncthing.ensure_folder(custom, devices=["RIG"])
    assert ContentSharing(syncthing, tmp_path).ensure_folders()
    assert syncthing.shared_with(SETLISTS_FOLDER) == ("LIBRARY", "RIG")
    assert syncthing.shared_with(CUSTOM_FOLDER) == ("LIBRARY", "RIG")
    assert syncthing.shared_with(SONGS_FOLDER) == ("LIBRARY",)


async def test_a_published_song_is_rescanned_by_its_sub_folder(publish, songs, syncthing):
    song = uuid.uuid4()
    key, _ = songs.save_revision(song, 1, "0" * 32, {"song.ini": b"[song]\n"})
    events = await publish(cataloged(song, 1, key, "songs/Artist/Title_1"))
    assert [type(e) for e in events] == [SongPublished]
    assert set(syncthing.shared) == {SONGS_FOLDER, CUSTOM_FOLDER, SETLISTS_FOLDER}
    assert syncthing.scans == [(SONGS_FOLDER, "Artist/Title_1")]


async def test_a_moved_song_rescans_its_old_and_new_folders(publish, songs, syncthing):
    song = uuid.uuid4()
    key1, _ = songs.save_revision(song, 1, "0" * 32, {"song.ini": b"one"})
    key2, _ = songs.save_revision(song, 2, "1" * 32, {"song.ini": b"two"})
    await publish(cataloged(song, 1, key1, "songs/Old Artist/Title_1"))
    await publish(cataloged(song, 2, key2, "songs/New Artist/Title_1", "songs/Old Artist/Title_1"))
    # The old artist folder is gone with the song, so its parent is scanned instead.
    assert syncthing.scans[1:] == [(SONGS_FOLDER, "New Artist/Title_1"),
                                   (SONGS_FOLDER, "Old Artist")]


async def test_a_deleted_song_rescans_the_folder_it_left(publish, songs, syncthing, tmp_path):
    song, other = uuid.uuid4(), uuid.uuid4()
    for song_id, path in ((song, "songs/Artist/Gone_1"), (other, "songs/Artist/Stays_2")):
        key, _ = songs.save_revision(song_id, 1, "0" * 32, {"song.ini": b"x"})
        await publish(cataloged(song_id, 1, key, path))
    syncthing.scans.clear()
    await publish(SongDeleted(event_id=uuid.uuid4(), song_id=song,
                              content_path="songs/Artist/Gone_1"))
    assert not (tmp_path / "songs/Artist/Gone_1").exists()
    assert syncthing.scans == [(SONGS_FOLDER, "Artist/Gone_1")]


async def test_syncthing_being_down_does_not_fail_the_publish(publish, songs, syncthing,
                                                              tmp_path):
    syncthing.down = True
    song = uuid.uuid4()
    key, _ = songs.save_revision(song, 1, "0" * 32, {"song.ini": b"x"})
    events = await publish(cataloged(song, 1, key, "songs/A/T_1"))
    assert [type(e) for e in events] == [SongPublished]
    assert (tmp_path / "songs/A/T_1/song.ini").read_bytes() == b"x"
    syncthing.down = False
    key2, _ = songs.save_revision(song, 2, "1" * 32, {"song.ini": b"y"})
    await publish(cataloged(song, 2, key2, "songs/A/T_1"))
    assert syncthing.scans == [(SONGS_FOLDER, "A/T_1")]


async def test_without_syncthing_the_handler_publishes_as_before(songs, tmp_path):
    publish = make_handler(songs, ContentFolder(tmp_path))
    song = uuid.uuid4()
    key, _ = songs.save_revision(song, 1, "0" * 32, {"song.ini": b"x"})
    [event] = await publish(cataloged(song, 1, key, "songs/A/T_1"))
    assert event.content_path == "songs/A/T_1"


def test_folders_are_created_once_and_kept_when_they_exist(syncthing, tmp_path):
    sharing = ContentSharing(syncthing, tmp_path)
    assert sharing.ensure_folders()
    first = dict(syncthing.shared)
    assert ContentSharing(syncthing, tmp_path).ensure_folders()
    assert syncthing.shared == first
    assert (tmp_path / "songs").is_dir() and (tmp_path / "custom").is_dir()


async def test_publishing_many_songs_asks_for_rescans_in_batches(songs, syncthing, tmp_path):
    sharing = ContentSharing(syncthing, tmp_path)
    sharing.ensure_folders()
    rescans = BatchedRescans(sharing)
    publish_batched = make_handler(songs, ContentFolder(tmp_path), rescans)
    for index in range(500):
        song = uuid.uuid4()
        key, _ = songs.save_revision(song, 1, f"{index:032x}", {"song.ini": b"[song]\n"})
        await publish_batched(cataloged(song, 1, key, f"songs/Artist {index}/Title_{index}"))
    requests_before = syncthing.calls
    assert syncthing.scans == []  # nothing asked while publishing

    assert rescans.flush() == 500
    assert syncthing.calls - requests_before == 500 // SCAN_PATHS_PER_REQUEST + 1
    assert len(syncthing.scans) == 500
    assert rescans.flush() == 0
    assert syncthing.calls - requests_before == 500 // SCAN_PATHS_PER_REQUEST + 1
