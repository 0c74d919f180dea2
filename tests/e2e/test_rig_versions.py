"""A rig set to "newest" receives only the newest version of a song, and the version an admin
gives it from the song's page ("this one") once chosen: the stack's sync service carries both
out in the library's Syncthing, and the rig's Songs folder follows."""

from __future__ import annotations

import httpx
import pytest

from services.sync.rig_sharing import rig_folder_id
from shared.syncthing import FolderSpec
from tests.support import syncthing as st
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"
SETTLE = 90  # each wait polls for its end condition and returns as soon as it holds


@pytest.fixture(scope="module")
def syncthings(stack, tmp_path_factory: pytest.TempPathFactory):
    """Sync and gateway restarted against a library Syncthing; a rig Syncthing beside it."""
    workdir = tmp_path_factory.mktemp("rig-versions")
    with st.library_and_rig(stack, workdir, SETTLE) as (library, rig):
        yield library, rig, workdir


def test_a_rig_gets_the_newest_version_then_the_one_chosen_for_it(
        stack, admin_token, corpus, unique, syncthings):
    library, rig, workdir = syncthings
    headers = {"Authorization": f"Bearer {admin_token}"}
    versions = []
    for n, title in enumerate((f"Rig Version {unique}", f"Rig Version {unique} [Remastered]")):
        files = song_files(corpus / AMAZING, f"{unique}{n}")
        files["song.ini"] = files["song.ini"].replace(b"name = Amazing",
                                                      f"name = {title}".encode())
        details = wait_for_upload(stack, upload(stack, admin_token, zip_bytes(files),
                                                f"v{n}.zip"))
        song_id = details["songs"][0]["song_id"]
        versions.append(httpx.get(f"{stack.gateway_url}/api/songs/{song_id}", timeout=60).json())
    older, newer = versions

    st.accept_library(rig, library)
    paired = httpx.post(f"{stack.gateway_url}/sync/rigs", headers=headers, timeout=60, data={
        "device_id": rig.device_id, "name": "den", "address": rig.local.listen_address})
    assert paired.status_code == 200
    st.wait_connected(library, rig)
    chosen = httpx.post(f"{stack.gateway_url}/sync/selection", headers=headers, timeout=60, data={
        "device_id": rig.device_id, "name": "den", "mode": "songs", "versions": "newest",
        "songs": f"{older['id']}\n{newer['id']}"})
    assert chosen.status_code == 200, chosen.text
    folder = rig_folder_id(rig.device_id)
    st.wait_until(lambda: rig.device_id in library.rest.shared_with(folder), timeout=SETTLE,
                  what="the rig's own folder")
    rig_songs = workdir / "rig-songs"
    rig_songs.mkdir()
    rig.rest.ensure_folder(FolderSpec(folder, rig_songs, "receiveonly", "Songs"),
                           devices=[library.device_id])

    def holds(*songs: dict) -> bool:
        found = {p.parent.relative_to(rig_songs).as_posix() for p in rig_songs.rglob("song.ini")}
        return found == {song["file_path"].removeprefix("songs/") for song in songs}

    st.wait_until(lambda: holds(newer), timeout=SETTLE, what="only the newest version")
    page = httpx.get(f"{stack.gateway_url}/songs/{older['id']}", headers=headers, timeout=60).text
    assert "den receives the newest version" in page

    given = httpx.post(f"{stack.gateway_url}/songs/{older['id']}/versions/rig",
                       headers=headers, timeout=60, data={"device_id": rig.device_id},
                       follow_redirects=False)
    assert given.status_code == 303
    st.wait_until(lambda: holds(older), timeout=SETTLE, what="only the version chosen")
    page = httpx.get(f"{stack.gateway_url}/songs/{older['id']}", headers=headers, timeout=60).text
    assert "den receives the version chosen for it" in page
