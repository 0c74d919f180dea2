"""The content folder: a revision appears complete or not at all, old revisions go away."""

from __future__ import annotations

import uuid

from services.sync.content_folder import ContentFolder
from shared.manifest import Manifest, ManifestFile

SONG = uuid.uuid4()


def manifest(revision: int, files: dict[str, bytes]) -> tuple[Manifest, dict[str, bytes]]:
    entries = tuple(ManifestFile(name=name, sha256=name, size=len(data))
                    for name, data in files.items())
    return Manifest(song_id=SONG, revision=revision, md5="0" * 32, files=entries), files


def writer(files: dict[str, bytes]):
    written = []

    def write(entry, path):
        written.append(entry.name)
        path.write_bytes(files[entry.sha256])

    return write, written


def test_a_song_is_written_complete_at_its_path(tmp_path):
    content = ContentFolder(tmp_path)
    revision, files = manifest(1, {"notes.chart": b"chart", "song.ini": b"ini"})
    write, _ = writer(files)
    assert content.publish(revision, "songs/A/Song_1", write)
    assert (tmp_path / "songs/A/Song_1/notes.chart").read_bytes() == b"chart"
    assert not list((tmp_path / ".chhub" / "incoming").iterdir())


def test_publishing_the_same_revision_again_writes_nothing(tmp_path):
    content = ContentFolder(tmp_path)
    revision, files = manifest(1, {"notes.chart": b"chart"})
    write, written = writer(files)
    content.publish(revision, "songs/A/Song_1", write)
    assert not content.publish(revision, "songs/A/Song_1", write)
    assert written == ["notes.chart"]


def test_a_new_revision_at_a_new_path_removes_the_old_folder_and_empty_artist(tmp_path):
    content = ContentFolder(tmp_path)
    first, files = manifest(1, {"notes.chart": b"one"})
    content.publish(first, "songs/Old Artist/Song_1", writer(files)[0])
    second, files = manifest(2, {"notes.chart": b"two"})
    content.publish(second, "songs/New Artist/Song_1", writer(files)[0])
    assert not (tmp_path / "songs/Old Artist").exists()
    assert (tmp_path / "songs/New Artist/Song_1/notes.chart").read_bytes() == b"two"
    assert content.published(SONG).revision == 2


def test_a_new_revision_at_the_same_path_replaces_the_files(tmp_path):
    content = ContentFolder(tmp_path)
    first, files = manifest(1, {"notes.chart": b"one", "old.png": b"x"})
    content.publish(first, "songs/A/Song_1", writer(files)[0])
    second, files = manifest(2, {"notes.chart": b"two"})
    content.publish(second, "songs/A/Song_1", writer(files)[0])
    assert sorted(p.name for p in (tmp_path / "songs/A/Song_1").iterdir()) == ["notes.chart"]


def test_unpublishing_removes_the_folder(tmp_path):
    content = ContentFolder(tmp_path)
    revision, files = manifest(1, {"notes.chart": b"one"})
    content.publish(revision, "songs/A/Song_1", writer(files)[0])
    content.unpublish(SONG, None)
    assert not (tmp_path / "songs/A").exists()
    assert content.published(SONG) is None


def test_a_path_outside_the_content_folder_is_refused(tmp_path):
    content = ContentFolder(tmp_path / "content")
    revision, files = manifest(1, {"notes.chart": b"one"})
    try:
        content.publish(revision, "../escape", writer(files)[0])
    except ValueError:
        pass
    else:
        raise AssertionError("a path outside the content folder was accepted")
    assert not (tmp_path / "escape").exists()


def test_a_deleted_song_is_remembered_as_deleted(tmp_path):
    content = ContentFolder(tmp_path)
    revision, files = manifest(1, {"notes.chart": b"one"})
    content.publish(revision, "songs/A/Song_1", writer(files)[0])
    assert not content.was_deleted(SONG)
    content.unpublish(SONG, "songs/A/Song_1")
    assert content.was_deleted(SONG)
