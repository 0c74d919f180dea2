"""A song generated from a synthetic track passes the reference scanner (scan-chart) without
the chart issues a hand-made chart would be rejected for."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import librosa  # noqa: F401  (the generator extra; make test installs it)
import pytest

from services.ingest.generator.folder import generate_folder
from tests.support.node_peer import scan_chart_8
from tests.unit.test_generator import FORBIDDEN, synthetic_track, wav

pytestmark = pytest.mark.integration


@pytest.fixture(scope="session")
def scan_peer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference scanner (scan-chart 8.0.1), installed once and cached for reruns."""
    return scan_chart_8(tmp_path_factory.mktemp("scan-peer"))


def test_a_generated_song_has_no_chart_issues_in_the_reference_scanner(scan_peer, tmp_path):
    files = generate_folder(wav(synthetic_track()[0]), "synthetic.wav",
                            {"name": "Sweep", "artist": "Test"})
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    result = subprocess.run(["node", str(scan_peer / "scan.mjs"), str(tmp_path)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    scan = json.loads(result.stdout)
    assert "error" not in scan, scan.get("error")
    issues = {issue["noteIssue"] for issue in scan["notesData"]["chartIssues"]}
    assert not issues & FORBIDDEN, issues
    assert scan["playable"]
