"""song.ini reading: encodings, comments, aliases, booleans, unset values and rich text."""

from __future__ import annotations

import pytest

from shared.songs.ini import display_text, parse_ini, read_metadata
from shared.songs.scan import scan_song

pytestmark = pytest.mark.unit

SIMPLE = "[song]\nname = Through the Fire\nartist = DragonForce\ncharter = Ghost\n"


def metadata_of(data: bytes) -> dict:
    ini = parse_ini(data)
    assert ini.song is not None
    return dict(read_metadata(ini.song).values)


@pytest.mark.parametrize("encoding, prefix", [
    ("utf-8", b""),
    ("utf-8", b"\xef\xbb\xbf"),
    ("utf-16-le", b"\xff\xfe"),
    ("utf-16-be", b"\xfe\xff"),
])
def test_reads_utf8_and_utf16_with_or_without_bom(encoding, prefix):
    text = "[Song]\nname = Café Ünïcode ✓\nartist = Åsa\n"
    values = metadata_of(prefix + text.encode(encoding))
    assert values["name"] == "Café Ünïcode ✓"
    assert values["artist"] == "Åsa"


def test_falls_back_to_latin1_for_bytes_that_are_not_utf8():
    values = metadata_of("[song]\ncharter = Pablo_Fénix85\n".encode("latin-1"))
    assert values["charter"] == "Pablo_Fénix85"


def test_reads_crlf_line_endings():
    values = metadata_of(SIMPLE.replace("\n", "\r\n").encode())
    assert values["name"] == "Through the Fire"


def test_section_and_keys_are_matched_case_insensitively_unlike_scan_chart():
    """Decision: keys are lowercased as YARG does; scan-chart would ignore `Name`."""
    values = metadata_of(b"[SONG]\nName = Loud\nARTIST = Band\n")
    assert (values["name"], values["artist"]) == ("Loud", "Band")


def test_semicolon_and_hash_lines_are_comments():
    ini = parse_ini(b"; a comment\n# another\n[song]\n;name = no\nname = yes\n")
    assert ini.song == {"name": "yes"}
    assert ini.issues == ()


def test_values_keep_percent_and_equals_signs():
    values = metadata_of(b"[song]\nloading_phrase = 100% = all in\n")
    assert values["loading_phrase"] == "100% = all in"


def test_the_last_duplicate_key_wins():
    assert metadata_of(b"[song]\nname = first\nname = second\n")["name"] == "second"


@pytest.mark.parametrize("legacy, key, value, expected", [
    ("frets", "charter", "Old Charter", "Old Charter"),
    ("track", "album_track", "7", 7),
    ("hopofreq", "hopo_frequency", "170", 170),
    ("star_power_note", "multiplier_note", "103", 103),
])
def test_legacy_keys_fill_in_their_modern_names(legacy, key, value, expected):
    assert metadata_of(f"[song]\n{legacy} = {value}\n".encode())[key] == expected


def test_modern_key_wins_over_its_legacy_alias():
    assert metadata_of(b"[song]\nfrets = old\ncharter = new\n")["charter"] == "new"


@pytest.mark.parametrize("text, expected", [
    ("True", True), ("1", True), ("False", False), ("0", False), ("yes", False),
])
def test_booleans_accept_true_false_one_and_zero(text, expected):
    assert metadata_of(f"[song]\npro_drums = {text}\n".encode())["pro_drums"] is expected


def test_minus_one_means_unset():
    values = metadata_of(b"[song]\ndiff_guitar = -1\nname = -1\nalbum_track = -1\n")
    assert values["diff_guitar"] == -1
    assert values["name"] == "Unknown Name"
    assert values["album_track"] == 16000


def test_non_integer_numbers_are_rounded_with_an_issue():
    ini = parse_ini(b"[song]\ndiff_guitar = 2.5\n")
    metadata = read_metadata(ini.song)
    assert metadata["diff_guitar"] == 3
    assert metadata.issues[0].code == "invalidValue"
    assert '"2.5", which is not an integer' in metadata.issues[0].description


def test_rich_text_is_kept_raw_and_stripped_for_display():
    ini = parse_ini(b"[song]\ncharter = <color=#FF0000>Red</color> & <b>Bold</b>\n")
    metadata = read_metadata(ini.song)
    assert metadata.raw["charter"] == "<color=#FF0000>Red</color> & <b>Bold</b>"
    assert metadata["charter"] == "Red & Bold"
    assert display_text("<size=20>Big</size>") == "Big"


def test_unreadable_lines_become_bad_ini_line_issues():
    ini = parse_ini(b"[song]\nname = ok\njust words\n[broken\n")
    assert [i.code for i in ini.issues] == ["badIniLine", "badIniLine"]
    assert 'Unsupported type of line: "just words"' in ini.issues[0].description


def test_a_folder_without_song_section_reports_invalid_metadata():
    scan = scan_song({"song.ini": b"[other]\nname = x\n", "notes.chart": b""})
    codes = [i.code for i in scan.folder_issues]
    assert "invalidMetadata" in codes
    assert "badChart" in codes
    assert scan.playable is False


def test_missing_required_values_are_metadata_issues():
    ini = parse_ini(b"[song]\nname = Only A Name\n")
    codes = [(i.code, i.description) for i in read_metadata(ini.song).issues]
    assert ("missingValue", 'Metadata is missing the "artist" property.') in codes
    assert all("name" not in text for _, text in codes)
