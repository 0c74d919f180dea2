"""The reference tools of ../shared/tools/scan-chart-peer (scan-chart, parse-sng), npm-installed
once into a cache folder so that later sessions reuse them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.stack import CORPUS

PEER_SOURCE = CORPUS.parent / "tools" / "scan-chart-peer"


def _installed(directory: Path, package: str) -> bool:
    """An installed copy whose package.json still matches the read-only source."""
    manifest = directory / "package.json"
    return ((directory / "node_modules" / package / "package.json").is_file()
            and manifest.is_file()
            and manifest.read_bytes() == (PEER_SOURCE / "package.json").read_bytes())


def installed_peer(cache: Path, package: str, scratch: Path) -> Path:
    """The peer tools with `package` installed, from `cache` or freshly installed into it."""
    if _installed(cache, package):
        return cache
    if not (PEER_SOURCE.is_dir() and shutil.which("node") and shutil.which("npm")):
        pytest.fail("node, npm or the scan-chart-peer tool is missing")
    staging = scratch / "peer"
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
