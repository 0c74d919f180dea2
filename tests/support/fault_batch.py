"""A batch of distinct small songs that several clients upload at once while a fault strikes,
and what became of it: the figures each fault scenario checks and reports."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import text

from shared.songs.hashes import folder_md5
from tests.support.faults import FaultStack
from tests.support.songs import song_files, zip_bytes

UNFINISHED = ("receiving", "received", "processing")
# What a client may meet while a fault lasts: the gateway away, or its "send it again".
RETRYABLE = {"unreachable", "503"}


@dataclass(frozen=True)
class BatchSong:
    marker: str
    archive: bytes
    md5: str


def batch_songs(corpus: Path, unique: str, count: int) -> list[BatchSong]:
    """The `count` smallest charted corpus songs, each made unique by a marker file."""
    folders = sorted((p for p in (corpus / "donnaken15-charts").iterdir()
                      if (p / "notes.chart").is_file()),
                     key=lambda p: sum(f.stat().st_size for f in p.iterdir()))[:count]
    songs = []
    for index, folder in enumerate(folders):
        marker = f"{unique}-{index}"
        files = song_files(folder, marker)
        songs.append(BatchSong(marker, zip_bytes(files), folder_md5(files)))
    return songs


@dataclass
class Sent:
    """What the clients sent and what the gateway answered."""

    attempts: int = 0
    accepted: dict[str, BatchSong] = field(default_factory=dict)
    accepted_after_fault: int = 0
    refusals: Counter = field(default_factory=Counter)
    in_flight_at_fault: int = 0


class Clients:
    """`clients` uploaders sharing out `songs`, each sending one at a time and sending again
    after a refusal, as a careful client does, until `give_up_seconds` after the start."""

    def __init__(self, faults: FaultStack, token: str, songs: list[BatchSong], *,
                 clients: int = 3, pause_seconds: float = 0.3, give_up_seconds: float = 90):
        self._faults, self._token, self._songs = faults, token, songs
        self._clients, self._pause, self._give_up = clients, pause_seconds, give_up_seconds
        self._lock = threading.Lock()
        self._fault_started = threading.Event()
        self.sent = Sent()

    def run(self, fault: Callable[[], None], after_accepted: int) -> None:
        """Send the batch; strike with `fault` once `after_accepted` uploads were accepted,
        while the clients go on; return when every client is done."""
        self._deadline = time.monotonic() + self._give_up
        threads = [threading.Thread(target=self._client, args=(self._songs[i::self._clients],))
                   for i in range(self._clients)]
        for thread in threads:
            thread.start()
        while len(self.sent.accepted) < after_accepted:
            assert time.monotonic() < self._deadline, f"the batch never got going: {self.sent}"
            time.sleep(0.02)
        with self._lock:
            self.sent.in_flight_at_fault = _unfinished_count(self._faults, self.sent.accepted)
            self._fault_started.set()
        try:
            fault()
        finally:
            for thread in threads:
                thread.join()

    def _client(self, songs: list[BatchSong]) -> None:
        url = f"{self._faults.stack.gateway_url}/api/uploads/"
        with httpx.Client(headers={"Authorization": f"Bearer {self._token}"},
                          timeout=30) as client:
            for song in songs:
                wait = 0.25
                while time.monotonic() < self._deadline:
                    answer = _send(client, url, song)
                    with self._lock:
                        self.sent.attempts += 1
                        if answer.startswith("202 "):
                            self.sent.accepted[answer.split()[1]] = song
                            self.sent.accepted_after_fault += self._fault_started.is_set()
                            break
                        self.sent.refusals[answer] += 1
                    wait = min(2.0, wait * 2)
                    time.sleep(wait)
                time.sleep(self._pause)


def _send(client: httpx.Client, url: str, song: BatchSong) -> str:
    """'202 <upload id>', the status code of a refusal, or what kept the request from an
    answer."""
    try:
        response = client.post(url, files={"file": (f"{song.marker}.zip", song.archive)})
    except httpx.TimeoutException:
        return "timeout"
    except httpx.TransportError:
        return "unreachable"
    if response.status_code == 202:
        return f"202 {response.json()['upload_id']}"
    return str(response.status_code)


def _unfinished_count(faults: FaultStack, uploads: dict[str, BatchSong]) -> int:
    with faults.catalog.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM uploads WHERE id = ANY(CAST(:ids AS uuid[])) "
            "AND state = ANY(:unfinished)"),
            {"ids": list(uploads), "unfinished": list(UNFINISHED)}).scalar_one()


def database_now(faults: FaultStack) -> object:
    with faults.catalog.connect() as connection:
        return connection.execute(text("SELECT now()")).scalar_one()


def settle(faults: FaultStack, since: object, timeout: float = 100) -> list[str]:
    """Wait until no upload begun since `since` is unfinished (or a service process is dead,
    which nobody will restart); those still unfinished then."""
    deadline = time.monotonic() + timeout
    while True:
        unfinished = _unfinished_since(faults, since)
        if not unfinished or faults.dead() or time.monotonic() > deadline:
            return unfinished
        time.sleep(0.5)


def _unfinished_since(faults: FaultStack, since: object) -> list[str]:
    with faults.catalog.connect() as connection:
        return [f"{row.id} {row.state}" for row in connection.execute(text(
            "SELECT id, state FROM uploads WHERE created_at >= :since "
            "AND state = ANY(:unfinished)"), {"since": since, "unfinished": list(UNFINISHED)})]


@dataclass(frozen=True)
class Outcome:
    """What became of a batch: every figure a fault scenario checks."""

    scenario: str
    songs: int
    sent: Sent
    states: dict[str, str]  # accepted upload id → its state
    unfinished: list[str]
    self_duplicates: list[str]
    catalog_rows: dict[str, int]  # marker → songs rows with its content
    published: dict[str, int]  # marker → upload songs that published it
    content_folders: dict[str, int]  # marker → folders in the content folder holding it
    stopped: list[str]  # service processes that are not running
    idle_queues: list[str]  # pipeline queues that nobody consumes
    restarts: int
    retries: int

    @property
    def completed(self) -> int:
        return sum(state == "completed" for state in self.states.values())

    @property
    def doubled(self) -> int:
        """Songs cataloged, published or laid out more than once."""
        return sum(max(0, count - 1) for figures in
                   (self.catalog_rows, self.published, self.content_folders)
                   for count in figures.values())

    def line(self) -> str:
        refusals = ", ".join(f"{k}: {v}" for k, v in sorted(self.sent.refusals.items()))
        return (f"fault {self.scenario}: songs {self.songs}, sent {self.sent.attempts}, "
                f"accepted {len(self.sent.accepted)}, completed {self.completed}, "
                f"unfinished {len(self.unfinished)}, duplicates "
                f"{len(self.self_duplicates) + self.doubled}, stopped {len(self.stopped)}, "
                f"restarts seen {self.restarts}, "
                f"retries {self.retries}, "
                f"in flight at the fault {self.sent.in_flight_at_fault}, accepted after it "
                f"{self.sent.accepted_after_fault}, refusals [{refusals or 'none'}]")


def measure(faults: FaultStack, scenario: str, songs: list[BatchSong], sent: Sent,
            since: object, unfinished: list[str], restarts: int, retries: int) -> Outcome:
    stopped, idle_queues = faults.dead(), faults.wait_until_consuming(timeout=45)
    with faults.catalog.connect() as connection:
        states = dict(connection.execute(text(
            "SELECT CAST(id AS text), state FROM uploads WHERE id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": list(sent.accepted)}).all())
        self_duplicates = [f"{row.upload_id} {row.song_id}" for row in connection.execute(text(
            "SELECT s.upload_id, s.song_id FROM upload_songs s JOIN uploads u "
            "ON u.id = s.upload_id WHERE u.created_at >= :since AND s.stage = 'duplicate' "
            "AND s.existing_song_id = s.song_id"), {"since": since})]
        catalog_rows, published = {}, {}
        for song in songs:
            ids = connection.execute(text("SELECT id FROM songs WHERE md5 = :md5"),
                                     {"md5": song.md5}).scalars().all()
            catalog_rows[song.marker] = len(ids)
            published[song.marker] = connection.execute(text(
                "SELECT count(*) FROM upload_songs WHERE stage = 'published' "
                "AND song_id = ANY(:ids)"), {"ids": list(ids)}).scalar_one()
    return Outcome(scenario, len(songs), sent, states, unfinished, self_duplicates,
                   catalog_rows, published, content_folders(faults, songs), stopped,
                   idle_queues, restarts, retries)


def content_folders(faults: FaultStack, songs: list[BatchSong]) -> dict[str, int]:
    """Folders holding each song's marker among the songs the rigs get."""
    songs_root = faults.stack.content_dir / "songs"
    found = Counter(path.name for path in songs_root.rglob("chhub-test-*.txt"))
    return {song.marker: found[f"chhub-test-{song.marker}.txt"] for song in songs}


def assert_whole(outcome: Outcome) -> None:
    """Every accepted upload completed once; nothing unfinished, doubled or refused badly."""
    sent, line = outcome.sent, outcome.line()
    assert outcome.stopped == [], f"not running at the end: {outcome.stopped}"
    assert outcome.idle_queues == [], f"no consumer at the end: {outcome.idle_queues}"
    assert sent.accepted_after_fault > 0, f"nothing was sent after the fault: {line}"
    assert set(sent.refusals) <= RETRYABLE, f"refused for good: {line}"
    assert {song.marker for song in sent.accepted.values()} == set(outcome.catalog_rows), \
        f"a song was never accepted: {line}"
    assert outcome.unfinished == [], f"unfinished: {outcome.unfinished}"
    not_completed = {k: v for k, v in outcome.states.items() if v != "completed"}
    assert not not_completed, f"accepted but not completed: {not_completed}"
    assert outcome.self_duplicates == [], f"duplicates of themselves: {outcome.self_duplicates}"
    for figures, what in ((outcome.catalog_rows, "rows in the catalog"),
                          (outcome.published, "upload songs published"),
                          (outcome.content_folders, "folders in the content folder")):
        assert set(figures.values()) == {1}, f"{what} per song: {figures}"
