"""Charts made afresh at random scan the same in our scanner and in scan-chart 8.0.1.

Every run draws a new seed (set CHHUB_RANDOM_CHART_SEED to replay one; a failure names it and
keeps the folders under pytest's tmp_path).
"""

from __future__ import annotations

import json
import os
import random
import subprocess
from pathlib import Path

import pytest

from shared.songs import scan_song
from tests.support.node_peer import scan_chart_8
from tests.support.random_charts import chart_file, song_ini
from tests.support.random_midi import midi_file
from tests.support.scan_fields import field_pairs

pytestmark = pytest.mark.integration

SEED = int(os.environ.get("CHHUB_RANDOM_CHART_SEED") or random.SystemRandom().randrange(2**32))
FOLDERS = int(os.environ.get("CHHUB_RANDOM_CHART_COUNT", "80"))


@pytest.fixture(scope="session")
def scan_peer8(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return scan_chart_8(tmp_path_factory.mktemp("scan-peer-8"))


def random_folder(rng: random.Random) -> dict[str, bytes]:
    """notes.chart or notes.mid, and most of the time a song.ini."""
    midi = rng.random() < 0.5
    chart = {"notes.mid": midi_file(rng)} if midi else {"notes.chart": chart_file(rng)}
    return {**chart, "song.ini": song_ini(rng)} if rng.random() < 0.85 else chart


def reference_scans(peer: Path, root: Path) -> dict[str, dict]:
    out = root.parent / f"{root.name}.jsonl"
    run = subprocess.run(["node", str(peer / "scan.mjs"), "--all", str(root), "--canonical",
                          "--out", str(out)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    records = [json.loads(line) for line in out.read_text().splitlines() if line.strip()]
    return {record["folder"]: record for record in records}


def test_random_charts_scan_the_same_as_scan_chart_8(scan_peer8, tmp_path):
    rng = random.Random(SEED)
    root = tmp_path / "charts"
    folders = {f"{index:03d}": random_folder(rng) for index in range(FOLDERS)}
    for name, files in folders.items():
        (root / name).mkdir(parents=True)
        for file_name, data in files.items():
            (root / name / file_name).write_bytes(data)
    reference = reference_scans(scan_peer8, root)
    assert sorted(reference) == sorted(folders)
    differences = []
    for name, files in folders.items():
        record = reference[name]
        assert "error" not in record, record["error"]
        ours = scan_song(files).as_dict()
        differences += [(name, field, mine, theirs)
                        for field, mine, theirs in field_pairs(record, ours) if mine != theirs]
    assert differences == [], f"seed {SEED}, folders in {root}"


def test_random_folders_cover_both_formats_and_the_interesting_cases():
    """The generator is worth running: charts of both kinds, with notes, issues and phrases."""
    rng = random.Random(SEED)
    scans = [scan_song(random_folder(rng)).as_dict() for _ in range(FOLDERS)]
    notes = [s["notesData"] for s in scans if s["notesData"]]
    assert {s["chartFile"] for s in scans} == {"notes.chart", "notes.mid"}
    assert sum(bool(n["noteCounts"]) for n in notes) > FOLDERS // 3
    issues = {i["noteIssue"] for n in notes for i in n["chartIssues"]}
    assert {"noSections", "babySustain", "brokenNote", "badEndEvent"} <= issues
    assert any(n["hasSoloSections"] for n in notes) and any(n["hasTapNotes"] for n in notes)
