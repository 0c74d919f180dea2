"""Songs for tests: real corpus folders made unique per test, uploaded over HTTP."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import httpx

from tests.support.stack import Stack

END_STATES = {"completed", "completed_with_errors", "failed"}


def song_files(folder: Path, unique: str, **extra: bytes) -> dict[str, bytes]:
    """A corpus folder's own files plus a marker file, so its content (md5) is unique."""
    files = {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}
    files[f"chhub-test-{unique}.txt"] = unique.encode()
    files.update(extra)
    return files


def zip_bytes(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def upload(stack: Stack, token: str, data: bytes, filename: str) -> str:
    response = httpx.post(f"{stack.gateway_url}/api/uploads/",
                          headers={"Authorization": f"Bearer {token}"},
                          files={"file": (filename, data)}, timeout=120)
    assert response.status_code == 202, response.text
    return response.json()["upload_id"]


def upload_folder(stack: Stack, token: str, files: Mapping[str, bytes]) -> str:
    response = httpx.post(f"{stack.gateway_url}/api/uploads/",
                          headers={"Authorization": f"Bearer {token}"},
                          files=[("file", (name, data)) for name, data in files.items()],
                          timeout=120)
    assert response.status_code == 202, response.text
    return response.json()["upload_id"]


def wait_for_upload(stack: Stack, upload_id: str, timeout: float = 90) -> dict[str, Any]:
    """The upload's status once it ended: its song counts and the first page of its songs
    (100, all of them in the tests' uploads)."""
    deadline = time.monotonic() + timeout
    details: dict[str, Any] = {}
    while time.monotonic() < deadline:
        response = httpx.get(f"{stack.gateway_url}/api/uploads/{upload_id}", timeout=10)
        if response.status_code == 200:
            details = response.json()
            if details["state"] in END_STATES:
                return details
        time.sleep(0.3)
    raise TimeoutError(f"upload {upload_id} did not finish: {details}")
