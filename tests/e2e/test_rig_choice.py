"""An admin pairs a rig on the sync page and chooses its songs; the stack's sync service carries
it out in the library's Syncthing, and the rig receives only the chosen song; then a setlist
as its selection, and the setlist file in its Setlists folder."""

from __future__ import annotations

import httpx
import pytest

from services.sync.rig_sharing import rig_folder_id
from shared.syncthing import SETLISTS_FOLDER, SONGS_FOLDER, FolderSpec
from tests.support import syncthing as st
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"
# A loaded machine may take long; each wait polls for its end condition and returns as soon as
# it holds.
SETTLE = 90


@pytest.fixture(scope="module")
def syncthings(stack, tmp_path_factory: pytest.TempPathFactory):
    """Sync and gateway restarted against a library Syncthing; a rig Syncthing beside it."""
    workdir = tmp_path_factory.mktemp("rig-choice")
    with st.library_and_rig(stack, workdir, SETTLE) as (library, rig):
        yield library, rig, workdir


def test_an_admin_pairs_a_rig_and_it_receives_only_the_chosen_song(
        stack, admin_token, corpus, unique, syncthings):
    library, rig, workdir = syncthings
    headers = {"Authorization": f"Bearer {admin_token}"}
    songs = []
    for n in range(2):
        data = zip_bytes(song_files(corpus / AMAZING, f"{unique}{n}"))
        details = wait_for_upload(stack, upload(stack, admin_token, data, f"s{n}.zip"))
        songs.append(details["songs"][0]["song_id"])

    st.accept_library(rig, library)  # before the library learns of the rig and dials it
    paired = httpx.post(f"{stack.gateway_url}/sync/rigs", headers=headers, timeout=60, data={
        "device_id": rig.device_id, "name": "den", "address": rig.local.listen_address})
    assert paired.status_code == 200 and "Pairing den" in paired.text
    st.wait_until(lambda: rig.device_id in library.rest.shared_with(SONGS_FOLDER),
                  timeout=SETTLE, what="the rig to share the songs folder")
    assert rig.device_id in library.rest.shared_with(SETLISTS_FOLDER)  # the game's Setlists
    st.wait_connected(library, rig)
    chosen = httpx.post(f"{stack.gateway_url}/sync/selection", headers=headers, timeout=60, data={
        "device_id": rig.device_id, "name": "den", "mode": "songs",
        "songs": f"{stack.gateway_url}/songs/{songs[0]}"})
    assert chosen.status_code == 200, chosen.text
    folder = rig_folder_id(rig.device_id)

    def moved_to_its_own_folder() -> bool:
        """The end of carrying the selection out: the rig's own folder shared with it, the
        library's songs folder no longer (the folder appears a few calls before that)."""
        return (any(f.id == folder for f in library.rest.folders())
                and rig.device_id in library.rest.shared_with(folder)
                and rig.device_id not in library.rest.shared_with(SONGS_FOLDER))

    st.wait_until(moved_to_its_own_folder, timeout=SETTLE,
                  what="the rig to move from the songs folder to its own")

    rig_songs = workdir / "rig-songs"
    rig_songs.mkdir()
    rig.rest.ensure_folder(FolderSpec(folder, rig_songs, "receiveonly", "Songs"),
                           devices=[library.device_id])
    song = httpx.get(f"{stack.gateway_url}/api/songs/{songs[0]}", timeout=60).json()
    arrived = rig_songs / song["file_path"].removeprefix("songs/")
    files = song_files(corpus / AMAZING, f"{unique}0")
    st.wait_until(lambda: all((arrived / name).is_file() for name in files), timeout=SETTLE,
                  what="every file of the chosen song on the rig")
    st.wait_until(lambda: library.rest.completion(folder, rig.device_id) == 100,
                  timeout=SETTLE, what="the rig to be complete")
    assert len([p for p in rig_songs.rglob("song.ini")]) == 1

    page = httpx.get(f"{stack.gateway_url}/sync", headers=headers, timeout=60).text
    assert rig.device_id in page and "connected" in page and "rescan songs" in page
    home = httpx.get(f"{stack.gateway_url}/", headers=headers, timeout=60).text
    assert "1 rig paired, 1 connected" in home

    # A setlist as the rig's selection: its songs replace the hand-picked one, and the
    # setlist itself arrives in the rig's Setlists folder.
    made = httpx.post(f"{stack.gateway_url}/api/setlists", headers=headers,
                      json={"name": f"Den {unique}", "song_ids": [songs[1]]}).json()
    chosen = httpx.post(f"{stack.gateway_url}/sync/selection", headers=headers, timeout=60, data={
        "device_id": rig.device_id, "name": "den", "mode": "setlist", "setlist": made["id"]})
    assert chosen.status_code == 200, chosen.text
    other = httpx.get(f"{stack.gateway_url}/api/songs/{songs[1]}", timeout=60).json()
    now_there = rig_songs / other["file_path"].removeprefix("songs/")
    st.wait_until(lambda: (now_there / "song.ini").is_file() and not arrived.exists(),
                  timeout=SETTLE, what="the setlist's song instead of the hand-picked one")
    rig_setlists = workdir / "rig-setlists"
    rig_setlists.mkdir()
    rig.rest.ensure_folder(FolderSpec(SETLISTS_FOLDER, rig_setlists, "receiveonly", "Setlists"),
                           devices=[library.device_id])
    st.wait_until(lambda: (rig_setlists / f"Den {unique}.setlist").is_file(), timeout=SETTLE,
                  what="the setlist file on the rig")
