"""The reference tools of ../shared/tools (scan-chart 7.0.1 or 8.0.1, parse-sng 4.0.3),
npm-installed once into a cache folder so that later sessions reuse them."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.corpus import CORPUS

PEER_SOURCE = CORPUS.parent / "tools" / "scan-chart-peer"
PEER8_SOURCE = CORPUS.parent / "tools" / "scan-chart-peer-8"


def _installed(directory: Path, package: str, source: Path) -> bool:
    """An installed copy whose package.json and scripts still match the read-only source."""
    return ((directory / "node_modules" / package / "package.json").is_file()
            and all((directory / name).is_file()
                    and (directory / name).read_bytes() == (source / name).read_bytes()
                    for name in ("package.json", "scan.mjs", "sng.mjs")))


def installed_peer(cache: Path, package: str, scratch: Path, source: Path = PEER_SOURCE) -> Path:
    """The peer tools of `source` with `package` installed, from `cache` or freshly installed."""
    if _installed(cache, package, source):
        return cache
    if not (source.is_dir() and shutil.which("node") and shutil.which("npm")):
        pytest.fail(f"node, npm or {source} is missing")
    staging = scratch / "peer"
    shutil.copytree(source, staging)
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


def scan_chart_8(scratch: Path) -> Path:
    """The scan-chart 8.0.1 harness (with parse-sng), cached under CHHUB_SCAN_PEER8_DIR."""
    cache = Path(os.environ.get("CHHUB_SCAN_PEER8_DIR", "/tmp/chhub-scan-peer-8"))
    return installed_peer(cache, "scan-chart", scratch, PEER8_SOURCE)
