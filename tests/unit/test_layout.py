"""Song folder names that every rig's file system accepts."""

from __future__ import annotations

import unicodedata
import uuid

import pytest

from shared.layout import safe_file_name, safe_name, song_folder, with_artist_dir

SONG = uuid.UUID("0123456789abcdef0123456789abcdef")


def test_a_song_lives_under_its_artist_with_a_short_id():
    assert song_folder("Neversoft", "Amazing", SONG) == "songs/Neversoft/Amazing_01234567"


@pytest.mark.parametrize("raw", ['AC/DC', 'What?', 'a<b>c', 'x:y', 'pipe|d', 'star*', 'q"uote',
                                 "back\\slash", "tab\there", "nul\x00"])
def test_characters_windows_refuses_are_replaced(raw):
    name = safe_name(raw, fallback="x", max_chars=60)
    assert not set('<>:"/\\|?*') & set(name)
    assert all(ord(char) >= 32 for char in name)


@pytest.mark.parametrize("raw", ["CON", "con", "Nul", "COM1", "lpt9", "aux.txt"])
def test_reserved_device_names_are_never_used_alone(raw):
    name = safe_name(raw, fallback="x", max_chars=60)
    assert name.split(".")[0].upper() not in {"CON", "NUL", "COM1", "LPT9", "AUX"}


def test_names_never_end_in_a_dot_or_space():
    assert safe_name("Hello... ", fallback="x", max_chars=60) == "Hello"


def test_names_are_unicode_nfc():
    decomposed = unicodedata.normalize("NFD", "Beyoncé")
    assert safe_name(decomposed, fallback="x", max_chars=60) == "Beyoncé"


def test_empty_or_unusable_names_fall_back():
    assert song_folder(None, "???", SONG) == "songs/Unknown Artist/Unknown Song_01234567"


def test_long_names_keep_the_full_path_short_enough_for_a_windows_rig():
    path = song_folder("A" * 300, "B" * 300, SONG)
    rig_prefix = "C:\\Users\\someone\\Documents\\Clone Hero\\Songs\\"
    assert len(rig_prefix + path.removeprefix("songs/") + "\\notes.chart") < 260


def test_an_existing_artist_folder_spelling_can_be_reused():
    assert with_artist_dir("songs/abba/Song_1", "ABBA") == "songs/ABBA/Song_1"


def test_a_long_file_name_keeps_its_extension_and_fits_an_sng_name_in_bytes():
    name = safe_file_name("日本語" * 60 + ".ogg")

    assert name.startswith("日本語") and name.endswith(".ogg")
    assert len(name) <= 80 and len(name.encode()) <= 255
