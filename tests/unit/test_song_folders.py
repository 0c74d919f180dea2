"""Finding song folders and .sng songs in the file list of an unpacked upload."""

from __future__ import annotations

import pytest

from services.ingest.song_files import read_song
from shared.messaging import PermanentError
from shared.songs.sng import file_name_problem, folder_to_sng
from shared.songs.song_folders import (
    MISSING_CHART_REASON,
    MemberNamesClash,
    SongFolder,
    find_song_folders,
    has_chart,
    is_junk,
    published_names,
)

HOSTILE = "<img src=x onerror=alert(9)>.txt"

pytestmark = pytest.mark.unit


def test_a_folder_with_a_chart_is_a_song_with_its_own_files_sorted():
    found = find_song_folders(["Band/song.ogg", "Band/notes.chart", "Band/song.ini"])

    assert found == [
        SongFolder("Band", "folder", ("notes.chart", "song.ini", "song.ogg")),
    ]


def test_files_at_the_root_make_a_song_whose_path_is_empty():
    assert find_song_folders(["notes.mid", "guitar.ogg"]) == [
        SongFolder("", "folder", ("guitar.ogg", "notes.mid")),
    ]


@pytest.mark.parametrize("marker", ["NOTES.CHART", "Notes.Mid", "Song.INI"])
def test_marker_file_names_are_matched_in_any_case(marker):
    assert [song.path for song in find_song_folders([f"Pack/A/{marker}"])] == ["Pack/A"]


def test_folders_without_a_marker_file_are_not_songs():
    assert find_song_folders(["Pack/readme.txt", "Pack/Art/cover.png", "Pack/A/song.ogg"]) == []


def test_each_sng_file_is_a_song_of_its_own():
    found = find_song_folders(["Pack/b.sng", "Pack/a.SNG", "c.sng"])

    assert found == [
        SongFolder("Pack/a.SNG", "sng", ()),
        SongFolder("Pack/b.sng", "sng", ()),
        SongFolder("c.sng", "sng", ()),
    ]


def test_an_sng_next_to_a_chart_is_its_own_song_and_not_a_file_of_the_folder():
    found = find_song_folders(["A/notes.chart", "A/extra.sng"])

    assert found == [
        SongFolder("A", "folder", ("notes.chart",)),
        SongFolder("A/extra.sng", "sng", ()),
    ]


def test_nested_song_folders_are_separate_songs_and_keep_their_files_apart():
    found = find_song_folders([
        "Album/notes.chart", "Album/song.ogg",
        "Album/Bonus/notes.mid", "Album/Bonus/song.ini",
    ])

    assert found == [
        SongFolder("Album", "folder", ("notes.chart", "song.ogg")),
        SongFolder("Album/Bonus", "folder", ("notes.mid", "song.ini")),
    ]


def test_operating_system_junk_is_ignored_everywhere():
    found = find_song_folders([
        "__MACOSX/Song/notes.chart",
        "__MACOSX/Song/._notes.chart",
        "Song/._notes.chart",
        "Song/.DS_Store",
        "Song/Thumbs.db",
        "Song/desktop.ini",
        "Song/notes.chart",
        "Junk/._song.ini",
    ])

    assert found == [SongFolder("Song", "folder", ("notes.chart",))]


@pytest.mark.parametrize(
    ("path", "junk"),
    [
        ("__macosx/a/notes.chart", True),
        ("a/.ds_store", True),
        ("a/THUMBS.DB", True),
        ("a/._song.ogg", True),
        ("a/_song.ogg", False),
        ("a/notes.chart", False),
        ("MACOSX/notes.chart", False),
    ],
)
def test_junk_is_recognised_by_folder_or_file_name(path, junk):
    assert is_junk(path) is junk


def test_a_folder_with_only_a_song_ini_has_no_chart():
    (song,) = find_song_folders(["A/song.ini", "A/song.ogg"])

    assert not has_chart(song.files)
    assert MISSING_CHART_REASON == "This folder has a song.ini but no notes.chart or notes.mid."


@pytest.mark.parametrize("name", ["notes.chart", "NOTES.MID"])
def test_a_folder_with_notes_chart_or_mid_has_a_chart(name):
    assert has_chart(["song.ini", name])


def test_a_chart_in_a_sub_folder_does_not_count_for_its_parent():
    assert not has_chart(["song.ini", "Bonus/notes.chart"])


def test_a_hostile_file_name_is_published_under_a_name_every_rig_can_store():
    names = published_names(["notes.chart", HOSTILE, "song..ogg", "CON.txt", "readme. "])

    assert names == {"notes.chart": "notes.chart", HOSTILE: "_img src=x onerror=alert(9)_.txt",
                     "song..ogg": "song.ogg", "CON.txt": "_CON.txt", "readme. ": "readme"}
    assert all(file_name_problem(name) is None for name in names.values())


def test_two_files_that_one_rig_would_store_under_one_name_are_refused_with_both_names():
    with pytest.raises(MemberNamesClash) as refused:
        published_names(["notes.chart", "a?.txt", "A_.txt"])

    assert refused.value.reason == ("The files 'a?.txt' and 'A_.txt' would both be named "
                                    "'A_.txt' on a rig; rename one of them.")


def test_a_song_folder_with_a_hostile_file_name_is_read_under_the_clean_name(tmp_path):
    (tmp_path / "notes.chart").write_bytes(b"[Song]\n{\n}\n")
    (tmp_path / HOSTILE).write_bytes(b"hello")

    files = read_song(tmp_path)

    assert files == {"notes.chart": b"[Song]\n{\n}\n",
                     "_img src=x onerror=alert(9)_.txt": b"hello"}
    assert folder_to_sng(files).startswith(b"SNGPKG")


def test_a_song_folder_whose_files_clash_on_a_rig_fails_with_the_reason(tmp_path):
    (tmp_path / "notes.chart").write_bytes(b"")
    (tmp_path / "Song.ogg").write_bytes(b"1")
    (tmp_path / "song.ogg").write_bytes(b"2")

    with pytest.raises(PermanentError, match=r"'Song\.ogg' and 'song\.ogg' would both be named"):
        read_song(tmp_path)
