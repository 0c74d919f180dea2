"""Importing a rig's Songs folder into a Clone Hero Hub server over its HTTP API.

Only songs the server does not already have (by content hash) are sent; running it again after
an interruption sends only what is still missing.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from services.gateway.importer.library_walk import LibraryItem

END_STATES = {"completed", "completed_with_errors", "failed"}


@dataclass
class ImportReport:
    new: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    would_send: list[str] = field(default_factory=list)
    bytes_sent: int = 0


class HubClient:
    def __init__(self, server: str, token: str, timeout: float = 600) -> None:
        self._http = httpx.Client(base_url=server.rstrip("/"), timeout=timeout,
                                  headers={"Authorization": f"Bearer {token}"})

    def known(self, md5s: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(md5s), 1000):
            response = self._http.post("/api/songs/known", json={"md5": md5s[start:start + 1000]})
            response.raise_for_status()
            found |= set(response.json()["known"])
        return found

    def send(self, item: LibraryItem) -> tuple[str, int]:
        """Upload one item; its upload id and the bytes sent."""
        with ExitStack() as files:
            if item.kind == "folder":
                parts = [("file", (f"{item.name}/{p.name}", files.enter_context(p.open("rb"))))
                         for p in sorted(item.path.iterdir()) if p.is_file()]
                size = sum(p.stat().st_size for p in item.path.iterdir() if p.is_file())
                response = self._http.post("/api/uploads/", files=parts)
            else:
                size = item.path.stat().st_size
                response = self._http.post(
                    "/api/uploads/", params={"filename": item.name},
                    content=files.enter_context(item.path.open("rb")),
                    headers={"Content-Type": "application/octet-stream"})
        if response.status_code != 202:
            raise RuntimeError(response.json().get("error") or response.text)
        return response.json()["upload_id"], size

    def outcome(self, upload_id: str, timeout: float = 600) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            details = self._http.get(f"/api/uploads/{upload_id}").json()
            if details["state"] in END_STATES:
                return details
            time.sleep(0.25)
        raise TimeoutError(f"upload {upload_id} did not finish in {timeout:.0f} s")


def import_items(client: HubClient, items: Iterable[LibraryItem], *, dry_run: bool,
                 progress: Callable[[LibraryItem, ImportReport], None]) -> ImportReport:
    items = list(items)
    report = ImportReport()
    known = client.known(sorted({md5 for item in items for md5 in item.md5s}))
    pending: list[tuple[LibraryItem, str]] = []
    for item in items:
        if item.problem:
            report.failed.append((str(item.path), item.problem))
        elif item.md5s and set(item.md5s) <= known:
            report.known.append(str(item.path))
        elif dry_run:
            report.would_send.append(str(item.path))
        else:
            try:
                upload_id, size = client.send(item)
                report.bytes_sent += size
                pending.append((item, upload_id))
            except (RuntimeError, httpx.HTTPError) as error:
                report.failed.append((str(item.path), str(error)))
        progress(item, report)
    for item, upload_id in pending:
        _record(report, item, client.outcome(upload_id))
    return report


def _record(report: ImportReport, item: LibraryItem, details: dict) -> None:
    if details["state"] == "failed" and not details["songs"]:
        report.failed.append((str(item.path), details["error"] or "the upload failed"))
    for song in details["songs"]:
        where = str(item.path if item.kind != "archive" else Path(item.path, song["folder"]))
        if song["stage"] == "published":
            report.new.append(where)
        elif song["stage"] == "duplicate":
            report.known.append(where)
        else:
            report.failed.append((where, song["error"] or "the song could not be added"))
