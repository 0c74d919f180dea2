"""With Syncthing configured, the stack's sync service shares the content folder and a rig
paired over loopback receives uploaded songs, their renames and their deletions."""

from __future__ import annotations

import httpx
import pytest

from shared.syncthing import SONGS_FOLDER
from tests.support import syncthing as st
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"
# The pipeline, a publish and a Syncthing transfer on a loaded machine; each wait polls for its
# end condition and returns as soon as it holds.
TRANSFER = 90


@pytest.fixture(scope="module")
def rig_songs(stack, tmp_path_factory: pytest.TempPathFactory):
    """The sync service restarted against a library Syncthing, and a rig paired to it."""
    workdir = tmp_path_factory.mktemp("syncthing-e2e")
    with st.running(workdir / "library", "library") as library, \
            st.running(workdir / "rig", "rig") as rig:
        stack.restart("sync", CHHUB_SYNCTHING_URL=library.local.url,
                      CHHUB_SYNCTHING_API_KEY=library.local.api_key)
        try:
            st.wait_until(lambda: any(f.id == SONGS_FOLDER for f in library.rest.folders()),
                          timeout=90, what="the sync service to create the shared folders")
            folder = workdir / "rig-songs"
            st.pair(library, rig, folder)
            yield folder
        finally:
            stack.restart("sync")


def test_an_uploaded_song_reaches_the_rig_and_follows_its_rename_and_deletion(
        stack, admin_token, corpus, unique, rig_songs):
    files = song_files(corpus / AMAZING, unique)
    details = wait_for_upload(stack, upload(stack, admin_token, zip_bytes(files), "song.zip"))
    song_id = details["songs"][0]["song_id"]
    song = httpx.get(f"{stack.gateway_url}/api/songs/{song_id}").json()
    on_rig = rig_songs / song["file_path"].removeprefix("songs/")
    st.wait_until(lambda: all((on_rig / name).is_file() for name in files), timeout=TRANSFER,
                  what="every file of the song on the rig")
    assert (on_rig / "song.ogg").read_bytes() == files["song.ogg"]

    headers = {"Authorization": f"Bearer {admin_token}"}
    httpx.patch(f"{stack.gateway_url}/api/songs/{song_id}", headers=headers,
                json={"changes": {"name": f"Renamed {unique}"}}).raise_for_status()
    renamed = st.wait_until(
        lambda: next((p for p in on_rig.parent.glob(f"Renamed {unique}_*")
                      if all((p / name).is_file() for name in files if name != "song.ini")),
                     None), timeout=TRANSFER, what="the renamed song on the rig")
    assert (renamed / "song.ogg").read_bytes() == files["song.ogg"]
    st.wait_until(lambda: not on_rig.exists(), timeout=TRANSFER, what="the old folder to leave")

    httpx.delete(f"{stack.gateway_url}/api/songs/{song_id}", headers=headers).raise_for_status()
    st.wait_until(lambda: not renamed.exists(), timeout=TRANSFER,
                  what="the song to leave the rig")
