"""The importer keeps several uploads in flight at once and still reports every upload, every
failure and its progress exactly, in the folder's order whatever order the sends end in; while
the server works, it asks which uploads ended in batches and reads each ended one once."""

from __future__ import annotations

import json
import random
import threading
import time
from pathlib import Path

import httpx
import pytest

from services.importer.client import HubClient, ImportReport, Waiting, import_items
from services.importer.library_walk import LibraryItem
from services.importer.progress import Pace


class InMemoryHub:
    """A server that keeps what it was sent in memory: uploads named in `refuse` are refused,
    songs named in `broken` fail in the pipeline; each send takes a moment of its own."""

    def __init__(self, *, refuse: set[str] = frozenset(), broken: set[str] = frozenset(),
                 barrier: threading.Barrier | None = None, seed: int = 7,
                 ending_per_ask: int | None = None) -> None:
        """`ending_per_ask`: each question of which uploads ended lets that many more end,
        oldest first (None: every upload has ended as soon as it is sent)."""
        self.run = "0" * 32
        self.ending_per_ask = ending_per_ask
        self.asked_ended: list[list[str]] = []
        self.told_ended: set[str] = set()
        self.told_before: list[set[str]] = []  # per question, the uploads said to have ended
        self.read: list[str] = []
        self.planned: int | None = None
        self.received: dict[str, LibraryItem] = {}
        self.in_flight = self.most_in_flight = 0
        self._refuse, self._broken, self._barrier = refuse, broken, barrier
        self._lock = threading.Lock()
        self._random = random.Random(seed)

    def known(self, md5s: list[str]) -> set[str]:
        return {md5 for md5 in md5s if md5.startswith("known")}

    def plan(self, songs: int) -> None:
        self.planned = songs

    def send(self, item: LibraryItem) -> tuple[str, int]:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            pause = self._random.uniform(0, 0.01)
        try:
            if self._barrier is not None:
                self._barrier.wait()  # every worker must be sending at this moment
            time.sleep(pause)
            if item.name in self._refuse:
                raise RuntimeError(f"{item.name} was refused")
            upload_id = f"upload-{item.name}"
            with self._lock:
                self.received[upload_id] = item
            return upload_id, item.size
        finally:
            with self._lock:
                self.in_flight -= 1

    def ended(self, upload_ids: list[str]) -> dict[str, dict]:
        """Each ended upload's outcome, with its songs when it holds one (as the server
        answers the songs of small uploads only)."""
        with self._lock:
            self.asked_ended.append(list(upload_ids))
            self.told_before.append(set(self.told_ended))
            sent = list(self.received)
            if self.ending_per_ask is None:
                ended = set(sent)
            else:
                ended = set(sent[:len(self.asked_ended) * self.ending_per_ask])
            answer = {upload_id: self._outcome(upload_id) for upload_id in upload_ids
                      if upload_id in ended}
            self.told_ended |= set(answer)
        for upload_id, outcome in answer.items():
            if self.received[upload_id].songs > 1:
                outcome["songs"] = None
        return answer

    def outcome(self, upload_id: str) -> dict:
        with self._lock:
            assert upload_id in self.told_ended, "read before it was said to have ended"
            self.read.append(upload_id)
        return self._outcome(upload_id)

    def _outcome(self, upload_id: str) -> dict:
        item = self.received[upload_id]
        broken = item.name in self._broken
        return {"state": "failed" if broken else "completed", "error": None,
                "songs": [{"folder": item.name, "stage": "failed" if broken else "published",
                           "error": "the chart could not be read" if broken else None}]}


def library(count: int) -> list[LibraryItem]:
    return [LibraryItem(Path(f"/Songs/song-{n:02d}"), "folder", (f"{n:032x}",), size=100 + n)
            for n in range(count)]


def run(hub: InMemoryHub, items: list[LibraryItem], parallel: int, waiting: Waiting = Waiting()
        ) -> tuple[ImportReport, list[tuple[str, Pace, bool]]]:
    lines: list[tuple[str, Pace, bool]] = []
    report = import_items(hub, items, dry_run=False, parallel=parallel, waiting=waiting,
                          progress=lambda label, pace, last: lines.append((label, pace, last)))
    return report, lines


def test_uploads_are_sent_several_at_once():
    hub = InMemoryHub(barrier=threading.Barrier(4, timeout=10))
    report, _ = run(hub, library(12), parallel=4)
    assert report.failed == []
    assert hub.most_in_flight == 4
    assert len(report.new) == 12


def test_every_refused_upload_and_failed_song_is_reported_in_the_folder_order():
    items = library(30)
    unreadable = LibraryItem(Path("/Songs/broken.zip"), "archive", problem="not an archive")
    known = LibraryItem(Path("/Songs/old"), "folder", ("known" + "0" * 27,), size=5)
    hub = InMemoryHub(refuse={"song-03", "song-17", "song-29"}, broken={"song-08", "song-21"})
    report, _ = run(hub, [unreadable, known, *items], parallel=6)

    assert [path for path, _ in report.failed] == [
        "/Songs/broken.zip", "/Songs/song-03", "/Songs/song-17", "/Songs/song-29",
        "/Songs/song-08", "/Songs/song-21"]
    assert report.failed[1][1] == "song-03 was refused"
    assert report.failed[4][1] == "the chart could not be read"
    assert report.known == ["/Songs/old"]
    assert report.new == [str(item.path) for item in items
                          if item.name not in {"song-03", "song-17", "song-29", "song-08",
                                               "song-21"}]
    assert hub.planned == 30
    assert report.songs_sent == 27
    assert report.bytes_sent == sum(item.size for item in items) - (103 + 117 + 129)


def test_the_progress_counts_each_upload_once_as_it_ends_and_ends_each_stage_once():
    items = library(25)
    hub = InMemoryHub(refuse={"song-05"}, broken={"song-11", "song-12"})
    _, lines = run(hub, items, parallel=5)

    sending = [pace for label, pace, _ in lines if label == "Sending"]
    adding = [pace for label, pace, _ in lines if label == "Adding"]
    assert [pace.songs_done for pace in sending] == list(range(1, 26))
    assert sending[-1].failed == 1
    assert sending[-1].bytes_done == sum(item.size for item in items) - 105
    assert [pace.songs_done for pace in adding] == list(range(1, 25))
    assert [pace.failed for pace in adding] == sorted(pace.failed for pace in adding)
    assert adding[-1].failed == 3
    assert [last for _, _, last in lines].count(True) == 2
    assert lines[len(sending) - 1][2] and lines[-1][2]


def packs(count: int) -> list[LibraryItem]:
    """Archives of three songs each."""
    return [LibraryItem(Path(f"/Songs/pack-{n:02d}.zip"), "archive",
                        tuple(f"{n:02d}{k:030x}" for k in range(3)), size=300)
            for n in range(count)]


def test_waiting_asks_which_uploads_ended_in_batches_and_reads_only_large_ones_once():
    hub = InMemoryHub(ending_per_ask=10)
    items = library(90) + packs(10)
    report, _ = run(hub, items, parallel=4,
                    waiting=Waiting(first_pause=0.001, last_pause=0.004, batch=25))
    assert len(report.new) == 100
    # The answer holds a one-song upload's song; each pack is read once, once it ended.
    assert sorted(hub.read) == sorted(f"upload-{item.name}" for item in packs(10))
    assert len(hub.asked_ended) <= 100 // 10 + 3  # not a question per upload
    sent = [f"upload-{item.name}" for item in items]
    for asked, told in zip(hub.asked_ended, hub.told_before, strict=True):
        assert asked == [upload for upload in sent if upload not in told][:25]  # the oldest


def test_waiting_asks_less_often_while_few_of_the_uploads_asked_about_end():
    """A long queue ends a few uploads at a time: asking about a thousand four times a second
    to hear of a few costs the server far more than the news is worth."""
    waiting = Waiting(first_pause=0.25, last_pause=2.0, few=0.01)
    pauses = [0.25]
    for _ in range(5):
        pauses.append(waiting.next_pause(pauses[-1], asked=1000, ended=4))
    assert pauses == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]
    assert waiting.next_pause(2.0, asked=1000, ended=10) == 0.25  # a hundredth of the batch
    assert waiting.next_pause(0.25, asked=3, ended=1) == 0.25  # the last few, one by one
    assert waiting.next_pause(0.25, asked=3, ended=0) == 0.5


def test_an_import_whose_uploads_stop_ending_gives_up_saying_how_many():
    hub = InMemoryHub(ending_per_ask=0)
    with pytest.raises(TimeoutError, match="12 uploads did not finish"):
        run(hub, library(12), parallel=4,
            waiting=Waiting(first_pause=0.001, last_pause=0.004, give_up_after=0.2))
    assert hub.read == []


class PagedUpload:
    """An ended upload's status as the server answers it, over httpx's mock transport: each
    answer holds one page of its songs."""

    def __init__(self, songs: int) -> None:
        self.songs = [{"song_id": f"{n:08d}", "folder": f"Pack/Song {n}", "stage": "published",
                       "error": None} for n in range(songs)]
        self.asked: list[dict[str, str]] = []

    def answer(self, request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        self.asked.append(params)
        limit = min(int(params.get("limit", 100)), 500)
        start = next((n + 1 for n, song in enumerate(self.songs)
                      if song["song_id"] == params.get("after")), 0)
        page = self.songs[start:start + limit]
        more = start + limit < len(self.songs)
        return httpx.Response(200, json={
            "state": "completed", "error": None, "songs": page,
            "next_after": page[-1]["song_id"] if more else None})


def test_an_ended_uploads_outcome_holds_every_song_of_every_page():
    server = PagedUpload(1234)
    hub = HubClient("http://hub.test", "token", transport=httpx.MockTransport(server.answer))
    outcome = hub.outcome("upload-1")
    assert outcome["state"] == "completed" and outcome["songs"] == server.songs
    assert [page.get("after") for page in server.asked] == [None, "00000499", "00000999"]
    assert {page["limit"] for page in server.asked} == {"500"}


def test_a_one_song_uploads_outcome_is_one_read():
    server = PagedUpload(1)
    hub = HubClient("http://hub.test", "token", transport=httpx.MockTransport(server.answer))
    assert hub.outcome("upload-1")["songs"] == server.songs
    assert len(server.asked) == 1


def test_the_client_asks_which_uploads_ended_in_one_request():
    asked = []

    def answer(request: httpx.Request) -> httpx.Response:
        asked.append((request.method, request.url.path, json.loads(request.content)))
        outcome = {"state": "completed", "error": None, "songs": []}
        return httpx.Response(200, json={"ended": {"b": "completed"}, "outcomes": {"b": outcome}})

    hub = HubClient("http://hub.test", "token", transport=httpx.MockTransport(answer))
    assert hub.ended(["a", "b", "c"]) == {"b": {"state": "completed", "error": None, "songs": []}}
    assert asked == [("POST", "/api/uploads/ended",
                      {"upload_ids": ["a", "b", "c"], "with_songs": True})]
