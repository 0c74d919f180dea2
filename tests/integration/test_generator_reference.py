"""A song generated from a synthetic track passes the reference scanner (scan-chart) without
the chart issues a hand-made chart would be rejected for."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytest.importorskip("librosa")

from services.ingest.generator.folder import generate_folder
from tests.unit.test_generator import FORBIDDEN, synthetic_track, wav

pytestmark = pytest.mark.integration

PEER_SOURCE = Path("/work/shared/tools/scan-chart-peer")


def peer_is_installed(directory: Path) -> bool:
    """An installed copy whose package.json still matches the read-only source."""
    package = directory / "package.json"
    return (
        (directory / "node_modules" / "scan-chart" / "package.json").is_file()
        and package.is_file()
        and package.read_bytes() == (PEER_SOURCE / "package.json").read_bytes()
    )


@pytest.fixture(scope="session")
def scan_peer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scan-chart, installed once and cached under CHHUB_SCAN_PEER_DIR for reruns."""
    cache = Path(os.environ.get("CHHUB_SCAN_PEER_DIR", "/tmp/chhub-scan-peer"))
    if peer_is_installed(cache):
        return cache
    if not (PEER_SOURCE.is_dir() and shutil.which("node") and shutil.which("npm")):
        pytest.fail("node, npm or the scan-chart-peer tool is missing")
    staging = tmp_path_factory.mktemp("scan-peer") / "peer"
    shutil.copytree(PEER_SOURCE, staging)
    for path in [staging, *staging.rglob("*")]:
        path.chmod(path.stat().st_mode | 0o200)  # the source is read-only; npm must write here
    subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=staging, check=True,
                   capture_output=True, timeout=600)
    shutil.rmtree(cache, ignore_errors=True)
    try:
        shutil.copytree(staging, cache)
    except OSError:
        return staging  # another session filled the cache first, or it is not writable
    return cache


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
