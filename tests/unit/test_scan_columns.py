"""The catalog's search columns and song_charts rows, mapped from real and odd scans."""

from __future__ import annotations

from pathlib import Path

import pytest

from shared.persistence.scan_columns import chart_rows, release_year, scan_columns
from shared.songs.scan import scan_song


def scan_of(folder: Path, **extra: bytes) -> dict:
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    return scan_song({**files, **extra}).as_dict()


def test_a_full_band_chart_maps_to_its_columns(corpus):
    columns = scan_columns(scan_of(corpus / "donnaken15-charts/Johnny Booth - Bury the Rose"))
    assert columns["instruments"] == ["guitar", "bass", "drums"]
    assert columns["drum_type"] == "fourLane"
    assert columns["has_solos"] is True and columns["has_lyrics"] is False
    assert columns["album_art_file"] == "album.jpg"
    assert columns["preview_start_ms"] == 500 and columns["year_number"] == 2019
    assert columns["max_nps"] == 12 and columns["effective_length_ms"] > 200_000
    assert columns["chart_hash"] and columns["has_issues"] == (columns["issue_count"] > 0)


def test_taps_open_notes_lyrics_and_video_are_flagged(corpus):
    columns = scan_columns(scan_of(corpus / "chorus-tests/charts/aldebaran",
                                   **{"video.webm": b"video"}))
    assert (columns["has_taps"], columns["has_open_notes"], columns["has_lyrics"],
            columns["has_video"]) == (True, True, True, True)


def test_chart_rows_list_each_part_with_its_ini_tier(corpus):
    rows = chart_rows(scan_of(corpus / "donnaken15-charts/Johnny Booth - Bury the Rose"))
    assert [(r["instrument"], r["difficulty"], r["ini_tier"]) for r in rows] == [
        ("guitar", "expert", 3), ("bass", "expert", 3), ("drums", "expert", 4)]
    assert all(r["note_count"] > 0 and r["max_nps"] for r in rows)


def test_parts_come_in_game_order_easy_first():
    scan = {"notesData": {"noteCounts": [
        {"instrument": "drums", "difficulty": "expert", "count": 9},
        {"instrument": "guitar", "difficulty": "expert", "count": 5},
        {"instrument": "guitar", "difficulty": "easy", "count": 2},
        {"instrument": "guitar", "difficulty": "hard", "count": 0}]}}
    assert [(r["instrument"], r["difficulty"]) for r in chart_rows(scan)] == [
        ("guitar", "easy"), ("guitar", "expert"), ("drums", "expert")]


def test_an_empty_or_odd_scan_maps_to_safe_defaults():
    columns = scan_columns({"notesData": None, "metadata": {"preview_start_time": -1},
                            "albumArt": None, "folderIssues": [{"folderIssue": "noAudio"}]})
    assert columns["instruments"] == [] and columns["max_nps"] is None
    assert columns["preview_start_ms"] is None and columns["issue_count"] == 1
    assert chart_rows({}) == [] and scan_columns({})["has_issues"] is False


def test_unset_ini_tiers_are_null_rather_than_minus_one():
    scan = {"metadata": {"diff_guitar": -1},
            "notesData": {"noteCounts": [{"instrument": "guitar", "difficulty": "expert",
                                          "count": 3}]}}
    assert chart_rows(scan)[0]["ini_tier"] is None


@pytest.mark.parametrize(("text", "year"), [
    ("2008", 2008), ("Released 1997", 1997), ("Unknown Year", None), (None, None),
    ("20081", None), ("'99", None), (2004, 2004),
])
def test_the_release_year_is_the_first_four_digit_number(text, year):
    assert release_year(text) == year
