"""A rig's own songs folder (hard links of the chosen song folders), its Syncthing sharing, and
the Custom folder's layout."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from services.sync.custom_folder import CustomFolder
from services.sync.rig_mirror import RigMirror
from services.sync.rig_sharing import RigSharing, rig_folder_id
from shared.syncthing import CUSTOM_FOLDER, SETLISTS_FOLDER, SONGS_FOLDER, InMemorySyncthing

RIG = "ABCDEFG-HIJKLMN-OPQRSTU-VWXYZ23-4567ABC-DEFGHIJ-KLMNOPQ-RSTUVWX"


def song(content: Path, sub: str, **files: bytes) -> None:
    folder = content / "songs" / sub
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)


def test_a_mirror_links_the_chosen_song_folders_without_copying(tmp_path):
    song(tmp_path, "Band/Hit", ini=b"hit")
    song(tmp_path, "Band/Miss", ini=b"miss")
    mirror = RigMirror(tmp_path, RIG)
    assert mirror.apply({"1": "Band/Hit"}) == {"Band/Hit"}
    linked = mirror.root / "Band" / "Hit" / "ini"
    assert linked.stat().st_ino == (tmp_path / "songs/Band/Hit/ini").stat().st_ino
    assert not (mirror.root / "Band" / "Miss").exists()
    assert mirror.apply({"1": "Band/Hit"}) == set()  # nothing changed


def test_a_song_leaving_the_selection_leaves_the_mirror_with_its_empty_artist(tmp_path):
    song(tmp_path, "Band/Hit", ini=b"hit")
    mirror = RigMirror(tmp_path, RIG)
    mirror.apply({"1": "Band/Hit"})
    assert mirror.apply({}) == {"Band/Hit"}
    assert not (mirror.root / "Band").exists()


def test_a_new_revision_at_the_same_place_is_linked_again(tmp_path):
    song(tmp_path, "Band/Hit", ini=b"one")
    mirror = RigMirror(tmp_path, RIG)
    mirror.apply({"1": "Band/Hit"})
    (tmp_path / "songs/Band/Hit/ini").unlink()
    song(tmp_path, "Band/Hit", ini=b"two")
    assert mirror.apply({"1": "Band/Hit"}) == {"Band/Hit"}
    assert (mirror.root / "Band/Hit/ini").read_bytes() == b"two"


def test_a_song_not_yet_published_waits_for_its_publish(tmp_path):
    mirror = RigMirror(tmp_path, RIG)
    assert mirror.apply({"1": "Band/Later"}) == set()
    assert mirror.linked() == {}


def test_a_rig_with_a_selection_gets_its_own_folder_instead_of_the_songs_folder(tmp_path):
    syncthing = InMemorySyncthing()
    rigs = RigSharing(syncthing, tmp_path)
    song(tmp_path, "Band/Hit", ini=b"hit")
    rigs.pair(RIG, "den", ("tcp://127.0.0.1:22001",))
    rigs.take_everything(RIG)
    assert RIG in syncthing.shared_with(SONGS_FOLDER) and RIG in syncthing.shared_with(
        CUSTOM_FOLDER)
    assert RIG in syncthing.shared_with(SETLISTS_FOLDER)  # bound for the game's Setlists folder
    rigs.take_selection(RIG, {"1": "Band/Hit"})
    folder = rig_folder_id(RIG)
    assert RIG not in syncthing.shared_with(SONGS_FOLDER)
    assert RIG in syncthing.shared_with(folder)
    assert syncthing.shared[folder].path == tmp_path.resolve() / "rigs" / "ABCDEFG"
    assert syncthing.scans == [(folder, "Band/Hit")]
    rigs.take_everything(RIG)
    assert RIG in syncthing.shared_with(SONGS_FOLDER)
    assert RIG not in syncthing.shared_with(folder)


def test_custom_content_goes_to_its_kinds_folder_and_same_names_are_kept_apart(tmp_path):
    custom = CustomFolder(tmp_path)
    first, second = uuid.uuid4(), uuid.uuid4()
    path = custom.publish(first, "highway", "road.webm", lambda t: t.write_bytes(b"1"))
    assert path == "custom/Video Highways/road/highway.webm"
    other = custom.publish(second, "highway", "road.webm", lambda t: t.write_bytes(b"2"))
    assert other == f"custom/Video Highways/road-{str(second)[:8]}/highway.webm"
    assert custom.publish(first, "highway", "road.webm", lambda t: t.write_bytes(b"1")) == path
    assert custom.unpublish(first) == path
    assert not (tmp_path / "custom/Video Highways/road").exists() and custom.was_deleted(first)
    assert (tmp_path / other).read_bytes() == b"2"
    image = custom.publish(uuid.uuid4(), "background", "stage.png", lambda t: t.write_bytes(b"3"))
    assert image == "custom/Image Backgrounds/stage.png"


def test_an_item_published_by_an_older_layout_moves_where_clone_hero_reads_it(tmp_path):
    custom = CustomFolder(tmp_path)
    item = uuid.uuid4()
    old = tmp_path / "custom/Backgrounds/stage.png"
    old.parent.mkdir(parents=True)
    old.write_bytes(b"old")
    state = tmp_path / ".chhub/custom" / f"{item}.json"
    state.parent.mkdir(parents=True)
    state.write_text(json.dumps({"path": "custom/Backgrounds/stage.png"}))
    path = custom.publish(item, "background", "stage.png", lambda t: t.write_bytes(b"new"))
    assert path == "custom/Image Backgrounds/stage.png"
    assert (tmp_path / path).read_bytes() == b"new" and not old.exists()
    assert custom.published(item) == path


def test_a_mirror_noted_before_folder_versions_keeps_its_links_and_notes_them(tmp_path):
    song(tmp_path, "Band/Hit", ini=b"hit")
    mirror = RigMirror(tmp_path, RIG)
    mirror.apply({"1": "Band/Hit"})
    state = tmp_path / ".chhub" / "rigs" / f"{mirror.key}.json"
    state.write_text(json.dumps({"1": "Band/Hit"}))  # as an older release wrote it
    assert mirror.linked() == {"1": "Band/Hit"}
    assert mirror.apply({"1": "Band/Hit"}) == set()
    assert set(json.loads(state.read_text())["sources"]) == {"1"}
