"""The search service (`chhub run search`) as its own process over a test database."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from tests.support.stack import free_port, stop


@dataclass(frozen=True)
class SearchService:
    url: str
    process: subprocess.Popen


@contextlib.contextmanager
def search_service(database_url: str, timeout: float = 60, port: int | None = None,
                   **extra_env: str) -> Iterator[SearchService]:
    """A search service whose index is loaded from `database_url`, on `port` or a free one
    (telemetry off unless `extra_env` turns it on)."""
    port = port or free_port()
    env = {**os.environ, "CHHUB_DATABASE_URL": database_url, "CHHUB_SEARCH_PORT": str(port),
           "CHHUB_TELEMETRY_ENABLED": "false", **extra_env}
    process = subprocess.Popen([sys.executable, "-m", "services.cli", "run", "search"], env=env,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_loaded(url, process, timeout)
        yield SearchService(url, process)
    finally:
        stop(process)


def wait_until_loaded(url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the search service exited with {process.returncode}")
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        time.sleep(0.2)
    raise TimeoutError("the search service did not load its index")
