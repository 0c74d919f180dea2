"""Importing a rig's Songs folder into a Clone Hero Hub server over its HTTP API.

Only songs the server does not already have (by content hash, asked in batches) are sent;
running it again after an interruption sends only what is still missing. Every upload names
its import run, so the server can show the run's progress as one. Several uploads are in
flight at once, so the round trips of one overlap the others' and the server's pipeline
always has the next song at hand. While the server works through them, one request at a time
asks which of the uploads sent (the oldest first, in batches) have ended, and the answer holds
the songs of each ended upload of a few songs; only a larger one's songs are then read, once.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, as_completed, wait
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import httpx

from services.importer.library_walk import LibraryItem
from services.importer.packing import zipped_folder
from services.importer.progress import Pace, ProgressMeter
from shared.import_run import IMPORT_RUN_HEADER, IMPORT_SONGS_HEADER

END_STATES = {"completed", "completed_with_errors", "failed"}
KNOWN_BATCH = 1000
DEFAULT_PARALLEL = 4
SONGS_PAGE = 500  # the most the server answers at once

Progress = Callable[[str, Pace, bool], None]


@dataclass(frozen=True)
class Waiting:
    """How an import waits for the server to add what it sent."""

    first_pause: float = 0.25
    """Seconds between questions while uploads end; doubled while few do..."""
    last_pause: float = 2.0
    """...up to this."""
    few: float = 0.01
    """Fewer than this share of the uploads asked about ended: ask less often (a long queue
    ends a few uploads at a time, and each question costs the server the whole batch)."""
    batch: int = 1000
    """Uploads asked about at once (the most the server takes)."""
    give_up_after: float = 600
    """No upload ended for this long: the server is stuck."""

    def next_pause(self, pause: float, asked: int, ended: int) -> float:
        """The pause after a question about `asked` uploads of which `ended` had ended."""
        if ended and ended >= self.few * asked:
            return self.first_pause
        return min(pause * 2, self.last_pause)


@dataclass
class ImportReport:
    run: str
    new: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    would_send: list[str] = field(default_factory=list)
    songs_sent: int = 0
    bytes_sent: int = 0


class Hub(Protocol):
    """What the importer needs of a server; every method may be called from several threads
    at once."""

    run: str

    def known(self, md5s: list[str]) -> set[str]: ...
    def plan(self, songs: int) -> None: ...
    def send(self, item: LibraryItem) -> tuple[str, int]: ...
    def ended(self, upload_ids: list[str]) -> dict[str, dict]: ...
    def outcome(self, upload_id: str) -> dict: ...


class HubClient:
    """A Clone Hero Hub server over HTTP; its connection pool serves several threads."""

    def __init__(self, server: str, token: str, timeout: float = 600,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.run = uuid.uuid4().hex
        self._http = httpx.Client(base_url=server.rstrip("/"), timeout=timeout,
                                  transport=transport,
                                  headers={"Authorization": f"Bearer {token}",
                                           IMPORT_RUN_HEADER: self.run})

    def known(self, md5s: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(md5s), KNOWN_BATCH):
            response = self._http.post("/api/songs/known",
                                       json={"md5": md5s[start:start + KNOWN_BATCH]})
            response.raise_for_status()
            found |= set(response.json()["known"])
        return found

    def plan(self, songs: int) -> None:
        """Tell the server, with each upload, how many songs this run sends in all."""
        self._http.headers[IMPORT_SONGS_HEADER] = str(songs)

    def send(self, item: LibraryItem) -> tuple[str, int]:
        """Upload one item (the files the walk read): its upload id and the bytes sent. A song
        folder goes as one zip named as the folder, so the server stores one object for it."""
        with ExitStack() as files:
            if item.kind == "folder":
                counted = [0]
                body = zipped_folder(item.path, item.files, counted)
            else:
                counted = [item.size]
                body = files.enter_context(item.path.open("rb"))
            response = self._http.post(
                "/api/uploads/", params={"filename": item.name}, content=body,
                headers={"Content-Type": "application/octet-stream"})
        if response.status_code != 202:
            raise RuntimeError(response.json().get("error") or response.text)
        return response.json()["upload_id"], counted[0]

    def ended(self, upload_ids: list[str]) -> dict[str, dict]:
        """How each of `upload_ids` that has ended ended (state, error and, for an upload of a
        few songs, its songs; None for a larger one); those still running are left out."""
        response = self._http.post("/api/uploads/ended",
                                   json={"upload_ids": upload_ids, "with_songs": True})
        response.raise_for_status()
        return response.json()["outcomes"]

    def outcome(self, upload_id: str) -> dict:
        """An ended upload's details, with every one of its songs (a page per 500)."""
        details = self._status(upload_id, limit=SONGS_PAGE)
        return {**details, "songs": self._every_song(upload_id, details)}

    def _every_song(self, upload_id: str, first: dict) -> list[dict]:
        """The upload's songs: those of its `first` page, then the rest a page at a time."""
        songs: list[dict] = list(first["songs"])
        after = first["next_after"]
        while after:
            page = self._status(upload_id, limit=SONGS_PAGE, after=after)
            songs += page["songs"]
            after = page["next_after"]
        return songs

    def _status(self, upload_id: str, **params: str | int) -> dict:
        response = self._http.get(f"/api/uploads/{upload_id}", params=params)
        response.raise_for_status()
        return response.json()


def import_items(client: Hub, items: Iterable[LibraryItem], *, dry_run: bool,
                 progress: Progress, clock: Callable[[], float] = time.monotonic,
                 parallel: int = DEFAULT_PARALLEL, waiting: Waiting = Waiting()
                 ) -> ImportReport:
    """Sort the items into unreadable, already in the library and new; send the new ones,
    `parallel` at a time, then wait for the server to add each of their songs."""
    items = list(items)
    report = ImportReport(client.run)
    known = client.known(sorted({md5 for item in items for md5 in item.md5s}))
    to_send: list[LibraryItem] = []
    for item in items:
        if item.problem:
            report.failed.append((str(item.path), item.problem))
        elif item.md5s and set(item.md5s) <= known:
            report.known.append(str(item.path))
        elif dry_run:
            report.would_send.append(str(item.path))
        else:
            to_send.append(item)
    if to_send:
        client.plan(sum(item.songs for item in to_send))
        with ThreadPoolExecutor(max(1, parallel), thread_name_prefix="import") as pool:
            pending = _send_all(client, pool, to_send, report, progress, clock)
            _wait_for_all(client, pool, pending, report, progress, clock, waiting)
    return report


def _send_all(client: Hub, pool: ThreadPoolExecutor, items: list[LibraryItem],
              report: ImportReport, progress: Progress, clock: Callable[[], float]
              ) -> list[tuple[LibraryItem, str]]:
    """Every item sent by the pool; the progress moves as each send ends, whatever its order,
    and the report lists uploads and failures in the items' order."""
    meter = ProgressMeter(sum(item.songs for item in items), sum(item.size for item in items),
                          clock(), failed=len(report.failed))
    sends = {pool.submit(client.send, item): index for index, item in enumerate(items)}
    outcomes: dict[int, tuple[str, int] | Exception] = {}
    for number, sent in enumerate(as_completed(sends), 1):
        item = items[sends[sent]]
        try:
            outcomes[sends[sent]] = sent.result()
            meter.record(clock(), songs=item.songs, bytes_done=outcomes[sends[sent]][1])
        except (RuntimeError, OSError, httpx.HTTPError) as error:
            outcomes[sends[sent]] = error
            meter.record(clock(), songs=item.songs, failed=item.songs)
        progress("Sending", meter.reading(clock()), number == len(items))
    pending = []
    for index, item in enumerate(items):
        outcome = outcomes[index]
        if isinstance(outcome, Exception):
            report.failed.append((str(item.path), str(outcome)))
        else:
            pending.append((item, outcome[0]))
            report.songs_sent += item.songs
            report.bytes_sent += outcome[1]
    return pending


def _wait_for_all(client: Hub, pool: ThreadPoolExecutor, pending: list[tuple[LibraryItem, str]],
                  report: ImportReport, progress: Progress, clock: Callable[[], float],
                  schedule: Waiting) -> None:
    """Every upload's outcome: which have ended is asked in batches, the oldest uploads
    first, less and less often while few end; the answer holds the songs of the small ones,
    and each larger ended one's songs are read by the pool.
    The report takes them in the items' order once all are in."""
    meter = ProgressMeter(report.songs_sent, 0, clock(), failed=len(report.failed))
    waiting = {upload_id: index for index, (_, upload_id) in enumerate(pending)}
    reading: dict[Future, int] = {}
    outcomes: dict[int, ImportReport] = {}
    # Asked by the real clock: `clock` only times the progress shown.
    pause, quiet_since = schedule.first_pause, time.monotonic()
    next_ask = time.monotonic()
    while waiting or reading:
        answered: list[tuple[int, dict]] = []
        if waiting and time.monotonic() >= next_ask:
            asked = list(itertools.islice(waiting, schedule.batch))
            ended = client.ended(asked)
            for upload_id, details in ended.items():
                index = waiting.pop(upload_id)
                if details.get("songs") is None:  # too many songs to come with the answer
                    reading[pool.submit(client.outcome, upload_id)] = index
                else:
                    answered.append((index, details))
            if ended:
                quiet_since = time.monotonic()
            elif time.monotonic() - quiet_since > schedule.give_up_after:
                raise TimeoutError(f"{len(waiting)} uploads did not finish: none ended in "
                                   f"{schedule.give_up_after:g} s")
            pause = schedule.next_pause(pause, len(asked), len(ended))
            next_ask = time.monotonic() + pause
        until_asked = max(next_ask - time.monotonic(), 0) if waiting else None
        done = set() if answered else _next_read(reading, until_asked)
        answered += [(reading.pop(read), read.result()) for read in done]
        for index, details in answered:
            item = pending[index][0]
            outcomes[index] = outcome = ImportReport(report.run)
            _record(outcome, item, details)
            meter.record(clock(), songs=len(details["songs"]) or item.songs,
                         failed=len(outcome.failed))
            progress("Adding", meter.reading(clock()), len(outcomes) == len(pending))
    for index in range(len(pending)):
        report.new += outcomes[index].new
        report.known += outcomes[index].known
        report.failed += outcomes[index].failed


def _next_read(reading: dict[Future, int], timeout: float | None) -> set[Future]:
    """The reads that end within `timeout` seconds (None: once the first ends); with none
    running, a pause of `timeout` seconds."""
    if reading:
        return wait(reading, timeout=timeout, return_when=FIRST_COMPLETED)[0]
    time.sleep(timeout or 0)
    return set()


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
