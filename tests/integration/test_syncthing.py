"""Against real Syncthing 1.19 processes on loopback: the library's folders, rescans after
publish and removal, and songs reaching (and leaving) a paired rig."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.sync.sharing import ContentSharing
from shared.syncthing import CUSTOM_FOLDER, SETLISTS_FOLDER, SONGS_FOLDER
from tests.support import syncthing as st


@pytest.fixture(scope="module")
def rig_songs(library, rig, sharing, workdir: Path) -> Path:
    folder = workdir / "rig" / "Songs"
    st.pair(library, rig, folder)
    return folder


def test_the_library_folders_exist_once_and_send_only(library, sharing, content):
    assert ContentSharing(library.rest, content.root).ensure_folders()  # again: no change
    folders = {f.id: f for f in library.rest.folders()}
    assert set(folders) == {SONGS_FOLDER, CUSTOM_FOLDER, SETLISTS_FOLDER}
    assert folders[SONGS_FOLDER].path == (content.root / "songs").resolve()
    assert {f.type for f in folders.values()} == {"sendonly"}


def test_a_rescanned_song_is_in_the_index_at_once(library, sharing, content, unique):
    st.publish(content, f"songs/Artist {unique}/Song_{unique}", {"song.ini": b"[song]\n"})
    sharing.changed([f"songs/Artist {unique}/Song_{unique}"])
    # No waiting: the rescan returns when the scan is done, long before the watcher's 10 s.
    entry = library.rest.file(SONGS_FOLDER, f"Artist {unique}/Song_{unique}/song.ini")
    assert entry is not None and not entry["global"]["deleted"]


def test_a_removed_song_leaves_the_index(library, sharing, content, unique):
    path = f"songs/Artist {unique}/Song_{unique}"
    st.publish(content, path, {"song.ini": b"[song]\n"})
    sharing.changed([path])
    content.remove(path)
    sharing.changed([path])
    for name in (f"Artist {unique}/Song_{unique}/song.ini", f"Artist {unique}"):
        assert library.rest.file(SONGS_FOLDER, name)["global"]["deleted"], name


def test_a_published_song_reaches_the_rig_and_a_deleted_one_leaves_it(library, rig, sharing,
                                                                      content, rig_songs,
                                                                      unique):
    path = f"songs/Band {unique}/Tune_{unique}"
    files = {"song.ini": b"[song]\nname = Tune\n", "notes.chart": b"[Song]\n{\n}\n"}
    st.publish(content, path, files)
    sharing.changed([path])
    arrived = rig_songs / f"Band {unique}" / f"Tune_{unique}"
    st.wait_until(lambda: all((arrived / n).is_file() for n in files), what="the song on the rig")
    assert {n: (arrived / n).read_bytes() for n in files} == files
    st.wait_until(lambda: library.rest.completion(SONGS_FOLDER, rig.device_id) == 100,
                  what="the library to see the rig complete")
    assert library.rest.folder_state(SONGS_FOLDER).state in {"idle", "scanning"}
    assert rig.rest.folder_state(SONGS_FOLDER).need_files == 0
    content.remove(path)
    sharing.changed([path])
    st.wait_until(lambda: not (rig_songs / f"Band {unique}").exists(),
                  what="the song to leave the rig")


def test_syncthing_holds_loopback_sockets_only(library, rig, rig_songs):
    for instance in (library, rig):
        addresses = st.socket_addresses(instance.local)
        assert addresses, "no sockets seen"
        for local, peer in addresses:
            assert local.startswith("127.0.0.1:"), local
            assert peer.startswith(("127.0.0.1:", "0.0.0.0:", "*:")), peer
