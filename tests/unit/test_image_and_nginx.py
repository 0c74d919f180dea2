"""infra/Dockerfile and infra/nginx, checked by the tools that will run them, and the files
they point at (tests/support/deployment_files.py says which tools are needed)."""

from __future__ import annotations

import fnmatch
import re
import shlex
import sys
from pathlib import Path
from typing import Any

import pytest

import shared.settings
from tests.support.deployment_files import (
    DOCKERFILE,
    DOCKERIGNORE,
    NGINX_DIR,
    ROOT,
    compose_file,
    dockerfile_instructions,
    environment_of,
    find_tool,
    free_loopback_port,
    run,
)

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    return compose_file()["services"]


def nginx_size_in_bytes(size: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmMgG]?)", size).groups()
    return int(number) * 1024 ** " kmg".index(unit.lower() or " ")


# ---- files the configuration points at --------------------------------------------------------

def dockerignored(path: str) -> bool:
    """Whether .dockerignore keeps `path` (relative to the build context) out of the context."""
    ignored = False
    for pattern in DOCKERIGNORE.read_text().splitlines():
        pattern = pattern.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        parts = Path(path).parts
        prefixes = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
        if any(fnmatch.fnmatchcase(prefix, pattern) for prefix in prefixes):
            ignored = not negated
    return ignored


def test_every_file_the_dockerfile_copies_exists_and_reaches_the_build_context() -> None:
    sources = []
    for instruction, arguments in dockerfile_instructions():
        if instruction in ("COPY", "ADD") and "--from=" not in arguments:
            words = [word for word in shlex.split(arguments) if not word.startswith("--")]
            sources += words[:-1]
    assert sources
    assert [source for source in sources if not (ROOT / source).exists()] == []
    assert [source for source in sources if dockerignored(source)] == []


def test_the_build_context_leaves_out_the_env_file_and_the_virtualenv() -> None:
    assert dockerignored(".env")
    assert dockerignored(".venv")
    assert dockerignored(".git")


def test_every_file_nginx_includes_exists() -> None:
    includes = re.findall(r"^\s*include\s+([^;]+);", (NGINX_DIR / "nginx.conf").read_text(),
                          flags=re.MULTILINE)
    assert includes
    assert [name for name in includes if not (NGINX_DIR / name).exists()] == []


# ---- infra/Dockerfile -------------------------------------------------------------------------

def test_hadolint_finds_nothing_in_the_dockerfile() -> None:
    hadolint = find_tool("hadolint", Path(sys.executable).parent)
    result = run([hadolint, "--no-color", str(DOCKERFILE)])
    assert result.returncode == 0, result.stdout + result.stderr


# ---- infra/nginx ------------------------------------------------------------------------------

def test_nginx_accepts_the_config(tmp_path: Path) -> None:
    """`gateway` only resolves inside compose. Rather than editing what nginx.conf says about it,
    the test puts its own upstream.conf (the one file naming that host) next to a copy of
    nginx.conf, so production needs no resolver and no variable `proxy_pass` (which would lose
    the upstream keepalive pool). `nginx -t` also binds every `listen` port and writes no pid
    but opens the pid path: the copy listens on free loopback ports instead of 80 and 8080, and
    `-g` moves the pid file, so that the check runs as any user next to anything else."""
    nginx = find_tool("nginx", Path("/usr/sbin"), Path("/usr/local/sbin"))
    config, listens = re.subn(r"^(\s*listen\s+)\d+\b",
                              lambda match: f"{match[1]}127.0.0.1:{free_loopback_port()}",
                              (NGINX_DIR / "nginx.conf").read_text(), flags=re.MULTILINE)
    assert listens == 2
    (tmp_path / "nginx.conf").write_text(config)
    (tmp_path / "upstream.conf").write_text("upstream gateway { server 127.0.0.1:8000; }\n")
    result = run([nginx, "-t", "-q", "-c", str(tmp_path / "nginx.conf"), "-p", f"{tmp_path}/",
                  "-e", str(tmp_path / "error.log"), "-g", f"pid {tmp_path}/nginx.pid;"],
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr


def test_the_nginx_upstream_is_the_gateway_service_on_its_port(
        services: dict[str, dict[str, Any]]) -> None:
    upstream = (NGINX_DIR / "upstream.conf").read_text()
    port = environment_of(services["gateway"]).get("CHHUB_GATEWAY_PORT", "8000")
    assert re.search(r"upstream\s+gateway\s*\{[^}]*\bserver\s+gateway:" + port + r"\b", upstream)
    assert re.search(r"proxy_pass\s+http://gateway;", (NGINX_DIR / "nginx.conf").read_text())


def test_nginx_accepts_uploads_exactly_as_large_as_the_gateway_does(
        services: dict[str, dict[str, Any]]) -> None:
    default = shared.settings.IngestSettings.model_fields["max_upload_bytes"].default
    limit = int(environment_of(services["gateway"]).get("CHHUB_MAX_UPLOAD_BYTES", default))
    config = (NGINX_DIR / "nginx.conf").read_text()
    sizes = re.findall(r"^\s*client_max_body_size\s+(\w+);", config, flags=re.MULTILINE)
    assert [nginx_size_in_bytes(size) for size in sizes] == [limit]
    assert re.search(r"^\s*proxy_request_buffering\s+off;", config, flags=re.MULTILINE)
    assert re.search(r"^\s*stub_status;", config, flags=re.MULTILINE)
