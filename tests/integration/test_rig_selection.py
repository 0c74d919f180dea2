"""Against two real Syncthing 1.19 processes (a library and a rig) on loopback: a rig given a
selection receives only those songs, follows changes to it, and gets the Custom folder; and
why a selection is not carried out by ignore patterns on a folder over the songs path."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from services.sync.content_folder import ContentFolder
from services.sync.custom_folder import CustomFolder
from services.sync.rig_sharing import RigSharing, rig_folder_id
from shared.syncthing import CUSTOM_FOLDER, SONGS_FOLDER, FolderSpec
from tests.support import syncthing as st


@pytest.fixture(scope="module")
def rigs(library, rig, sharing, content: ContentFolder) -> RigSharing:
    """The rig paired as an admin pairs it: by device id and an explicit tcp:// address."""
    rigs = RigSharing(library.rest, content.root)
    st.accept_library(rig, library)
    rigs.pair(rig.device_id, "rig", (rig.local.listen_address,))
    st.wait_connected(library, rig)
    return rigs


def receive(rig, folder_id: str, path: Path, library_id: str) -> None:
    """The rig accepts the library's folder into `path`, receiving only."""
    path.mkdir(parents=True, exist_ok=True)
    rig.rest.ensure_folder(FolderSpec(folder_id, path, "receiveonly", folder_id),
                           devices=[library_id])


def test_a_rig_with_a_selection_receives_only_those_songs(library, rig, rigs, sharing, content,
                                                          workdir, unique):
    chosen = {"song.ini": b"[song]\nname = Chosen\n", "notes.chart": b"[Song]\n{\n}\n"}
    chosen_id = st.publish(content, f"songs/Band {unique}/Chosen", chosen)
    st.publish(content, f"songs/Band {unique}/Other", {"song.ini": b"[song]\nname = Other\n"})
    st.publish(content, f"songs/Solo {unique}/Third", {"song.ini": b"[song]\nname = Third\n"})
    sharing.changed([f"songs/Band {unique}", f"songs/Solo {unique}"])

    rigs.take_selection(rig.device_id, {chosen_id: f"Band {unique}/Chosen"})
    folder = rig_folder_id(rig.device_id)
    assert rig.device_id not in library.rest.shared_with(SONGS_FOLDER)
    rig_songs = workdir / "rig" / "Songs"
    receive(rig, folder, rig_songs, library.device_id)
    arrived = rig_songs / f"Band {unique}" / "Chosen"
    st.wait_until(lambda: all((arrived / n).is_file() for n in chosen), timeout=30,
                  what="the chosen song on the rig")
    st.wait_until(lambda: library.rest.completion(folder, rig.device_id) == 100, timeout=20,
                  what="the rig to be complete")
    assert {p.name for p in (rig_songs / f"Band {unique}").iterdir()} == {"Chosen"}
    assert not (rig_songs / f"Solo {unique}").exists()
    assert (arrived / "song.ini").read_bytes() == chosen["song.ini"]

    third_id = next(iter(set(_ids(content)) - {chosen_id}))  # any other song joins later
    rigs.take_selection(rig.device_id, {third_id: content.published(uuid.UUID(third_id))
                                        .path.removeprefix("songs/")})
    st.wait_until(lambda: not arrived.exists(), timeout=30, what="the unchosen song to leave")


def _ids(content: ContentFolder) -> list[str]:
    return [p.stem for p in (content.root / ".chhub" / "published").glob("*.json")]


def test_custom_content_reaches_the_rigs_custom_folder(library, rig, rigs, sharing, content,
                                                       workdir, unique):
    custom = CustomFolder(content.root)
    data = f"[guitar]\nnote_green = #00FF00\n; {unique}\n".encode()
    path = custom.publish(uuid.uuid4(), "color", f"calm-{unique}.ini",
                          lambda target: target.write_bytes(data))
    sharing.changed([path])
    assert rig.device_id in library.rest.shared_with(CUSTOM_FOLDER)
    rig_custom = workdir / "rig" / "Custom"
    receive(rig, CUSTOM_FOLDER, rig_custom, library.device_id)
    landed = rig_custom / "Colors" / f"calm-{unique}.ini"
    st.wait_until(landed.is_file, timeout=30, what="the color profile on the rig")
    assert landed.read_bytes() == data


def test_two_folders_over_one_path_share_one_set_of_ignore_patterns(library, workdir):
    """Why each rig with a selection gets a folder of its own path: Syncthing keeps ignore
    patterns in `.stignore` at the folder root, so patterns set for one folder over the songs
    path would narrow every folder over it."""
    shared_path = workdir / "one-path"
    shared_path.mkdir()
    for folder_id in ("probe-a", "probe-b"):
        library.rest.ensure_folder(FolderSpec(folder_id, shared_path, "sendonly", folder_id))
    api = httpx.Client(base_url=library.local.url, headers={"X-API-Key": library.local.api_key})
    with api:
        api.post("/rest/db/ignores", params={"folder": "probe-a"},
                 json={"ignore": ["!/Chosen", "*"]}).raise_for_status()
        seen_by_b = api.get("/rest/db/ignores", params={"folder": "probe-b"}).json()
    assert seen_by_b["ignore"] == ["!/Chosen", "*"]
    assert (shared_path / ".stignore").read_text().split() == ["!/Chosen", "*"]
