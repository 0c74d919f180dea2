"""Editing song.ini keeps what was there and changes only what was asked."""

from __future__ import annotations

from shared.songs.ini import parse_ini
from shared.songs.ini_edit import apply_ini_changes


def song_section(data: bytes) -> dict:
    return dict(parse_ini(data).song)


def test_a_changed_key_is_replaced_and_others_stay():
    before = b"; a comment\r\n[Song]\r\nName = Old\r\nartist = Band\r\ndiff_guitar = 4\r\n"
    after = apply_ini_changes(before, {"name": "New"})
    assert song_section(after) == {"name": "New", "artist": "Band", "diff_guitar": "4"}
    assert after.startswith(b"; a comment")


def test_a_missing_key_is_added_and_none_removes_one():
    after = apply_ini_changes(b"[song]\nname = X\nalbum = A\n", {"genre": "Rock", "album": None})
    assert song_section(after) == {"name": "X", "genre": "Rock"}


def test_a_file_without_a_song_section_gets_one():
    after = apply_ini_changes(b"[other]\nkey = 1\n", {"name": "X"})
    assert song_section(after) == {"name": "X"}
    assert parse_ini(after).sections["other"]["key"] == "1"


def test_no_file_at_all_gives_a_new_one():
    assert song_section(apply_ini_changes(None, {"name": "X", "artist": "Y"})) == {
        "name": "X", "artist": "Y"}


def test_utf16_input_is_written_back_as_utf8():
    before = "\ufeff[song]\r\nname = Café\r\n".encode("utf-16-le")
    after = apply_ini_changes(b"\xff\xfe" + before[2:], {"artist": "Zoë"})
    assert song_section(after) == {"name": "Café", "artist": "Zoë"}
