"""Our scan agrees with scan-chart 8.0.1 on every corpus folder, field by field.

Run `python -m tests.unit.test_scan_conformance` (or pytest with `-s`) for the agreement table.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from functools import cache

import pytest

from shared.songs import folder_md5, scan_song
from tests.support.corpus import CORPUS
from tests.support.scan_fields import field_pairs

pytestmark = pytest.mark.unit


EXPECTED = CORPUS / "expected" / "scan-chart-8.0.1.jsonl"
needs_corpus = pytest.mark.usefixtures("corpus")  # fails, never skips, without the corpus

# Deliberate differences from the reference, each with the reason (see corpus/README.md).
KNOWN_DIFFERENCES = {
    # song.ini is Latin-1 here; scan-chart decodes it as UTF-8 and shows U+FFFD, we fall back
    # to Latin-1 and show the real "é".
    ("chorus-tests/ini/c3", "charter"),
}


# Album art the reference measures wrongly: the albumArtSize text differs (codes still agree).
ALBUM_ART_MISREAD = {
    # 1-bit palette PNGs: the IHDR chunk says 1024x1024 and 1650x1650; scan-chart (exifreader)
    # parses Node's shared 8 KiB buffer pool instead, reporting 64x64 or the true size.
    "donnaken15-charts/Venetian Snares - More Drug N Bass",
    "donnaken15-charts/Venetian Snares - Mouth",
    # JPEG whose frame (SOF0) is 800x800; scan-chart takes the EXIF thumbnail's 3600 height.
    "donnaken15-charts/Linkin Park - Drawing",
}
KNOWN_DIFFERENCES |= {(folder, "folderIssues") for folder in ALBUM_ART_MISREAD}


def measured_song_length(ours: dict, name: str, mine, theirs) -> bool:
    """A deliberate difference: scan-chart reports song.ini's song_length only (none or 0 when
    the ini lacks it); we report the audio's measured length then (see shared/songs/scan.py)."""
    return (name == "song_length" and theirs in (None, 0) and ours["audioLength"] is not None
            and mine == ours["audioLength"])


@cache
def expected_records() -> list[dict]:
    return [json.loads(line) for line in EXPECTED.read_text().splitlines() if line.strip()]


def folder_files(record: dict) -> dict[str, bytes]:
    folder = CORPUS / "charts" / record["folder"]
    return {name: (folder / name).read_bytes() for name in record["files"]}


@cache
def scanned(folder: str) -> dict:
    record = next(r for r in expected_records() if r["folder"] == folder)
    return scan_song(folder_files(record)).as_dict()


def _field_group(name: str) -> str:
    return "metadata.*" if name.startswith("metadata.") else name


def agreement_table() -> str:
    """A per-field table: how many folders agree with the reference."""
    agree, deliberate, total = Counter(), Counter(), Counter()
    for record in expected_records():
        ours = scanned(record["folder"])
        for name, mine, theirs in field_pairs(record, ours):
            group = _field_group(name)
            total[group] += 1
            agree[group] += mine == theirs
            deliberate[group] += mine != theirs and (
                (record["folder"], name) in KNOWN_DIFFERENCES
                or measured_song_length(ours, name, mine, theirs))
    lines = [f"{'field':22s} agree/total  deliberate differences"]
    lines += [f"{name:22s} {f'{agree[name]}/{total[name]}':12s} {deliberate[name] or ''}"
              for name in total]
    return "\n".join(lines)


@needs_corpus
@pytest.mark.parametrize("folder", [r["folder"] for r in expected_records()]
                         if EXPECTED.exists() else [])
def test_scan_agrees_with_scan_chart(folder):
    record = next(r for r in expected_records() if r["folder"] == folder)
    ours = scanned(folder)
    differences = [
        (name, mine, theirs) for name, mine, theirs in field_pairs(record, ours)
        if mine != theirs and (folder, name) not in KNOWN_DIFFERENCES
        and not measured_song_length(ours, name, mine, theirs)
    ]
    assert differences == []


@needs_corpus
def test_known_differences_are_still_differences():
    """Each deliberate difference must still differ, otherwise it should leave the list."""
    for folder, name in KNOWN_DIFFERENCES:
        record = next(r for r in expected_records() if r["folder"] == folder)
        pairs = {n: (mine, theirs) for n, mine, theirs in field_pairs(record, scanned(folder))}
        mine, theirs = pairs[name]
        assert mine != theirs


@needs_corpus
def test_folder_md5_matches_scan_chart_for_every_folder():
    for record in expected_records():
        assert folder_md5(folder_files(record)) == record["md5"], record["folder"]


@needs_corpus
def test_print_agreement_table(capsys):
    table = agreement_table()
    with capsys.disabled():
        print("\n" + table)
    assert "trackHashes" in table


if __name__ == "__main__":
    sys.stdout.write(agreement_table() + "\n")


@needs_corpus
def test_our_own_fields_are_json_ready_for_every_folder():
    for record in expected_records():
        ours = scanned(record["folder"])
        assert json.loads(json.dumps(ours, allow_nan=False)) == ours
        assert ours["chartFile"] in (None, "notes.chart", "notes.mid") or \
            ours["chartFile"].endswith((".chart", ".mid"))


@needs_corpus
def test_album_art_size_is_read_from_the_image_header():
    """The reference's known mistake: these PNGs are 1650x1650 and 1024x1024, not 64x64."""
    mouth = scanned("donnaken15-charts/Venetian Snares - Mouth")["albumArt"]
    assert (mouth["format"], mouth["width"], mouth["height"]) == ("png", 1650, 1650)
    drum_n_bass = scanned("donnaken15-charts/Venetian Snares - More Drug N Bass")["albumArt"]
    assert (drum_n_bass["width"], drum_n_bass["height"]) == (1024, 1024)
    drawing = scanned("donnaken15-charts/Linkin Park - Drawing")["albumArt"]
    assert (drawing["format"], drawing["width"], drawing["height"]) == ("jpeg", 800, 800)
