"""What the library scale bench measures of a running stack: songs/s per tenth of an import
(from the catalog's rows), peak memory, bytes stored, page times and the staging peak."""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import Engine, text

from bench.library_folder import tree_bytes
from shared.storage import S3ObjectStore


@dataclass(frozen=True)
class Tenth:
    songs: int
    sent_per_s: float
    published_per_s: float
    ended_after_s: float


def _rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def tenths(sent: list[datetime], published: list[datetime]) -> list[Tenth]:
    """Songs sent (upload rows) and published (song rows) per second in each tenth of the
    songs, each tenth timed from the end of the one before (the first from the first upload)."""
    if not sent or not published:
        return []
    start = sent[0]
    rows = []
    for k in range(10):
        low, high = len(published) * k // 10, len(published) * (k + 1) // 10
        if high == low:
            continue
        s_low, s_high = len(sent) * k // 10, len(sent) * (k + 1) // 10
        before = published[low - 1] if low else start
        sent_before = sent[s_low - 1] if s_low else start
        rows.append(Tenth(
            songs=high - low,
            sent_per_s=_rate(s_high - s_low,
                             (sent[s_high - 1] - sent_before).total_seconds()),
            published_per_s=_rate(high - low,
                                  (published[high - 1] - before).total_seconds()),
            ended_after_s=(published[high - 1] - start).total_seconds()))
    return rows


def catalog_times(engine: Engine) -> tuple[list[datetime], list[datetime]]:
    """When each upload was received and each song entered the catalog, in order."""
    with engine.connect() as connection:
        sent = connection.execute(text("SELECT created_at FROM uploads ORDER BY 1")).scalars()
        sent = list(sent)
        published = list(connection.execute(
            text("SELECT created_at FROM songs ORDER BY 1")).scalars())
    return sent, published


def song_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT count(*) FROM songs")).scalar_one()


def peak_memory_mb(pids: dict[str, int]) -> dict[str, tuple[float, float]]:
    """Peak (VmHWM) and current (VmRSS) resident memory of each process, in MB."""
    figures = {}
    for name, pid in pids.items():
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except FileNotFoundError:
            continue
        fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        figures[name] = (int(fields["VmHWM"].split()[0]) / 1024,
                         int(fields["VmRSS"].split()[0]) / 1024)
    return figures


def cpu_seconds(pids: dict[str, int]) -> dict[str, float]:
    """CPU time (user + system) each process has used so far, in seconds."""
    ticks = os.sysconf("SC_CLK_TCK")
    figures = {}
    for name, pid in pids.items():
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
        except FileNotFoundError:
            continue
        figures[name] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return figures


def broker_pid() -> int | None:
    """RabbitMQ's Erlang VM on this machine, if it runs here: the bench's vhost shares it."""
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                command = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if b"beam.smp" in command and b"rabbit" in command:
                return int(proc.name)
    return None


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine has spent busy (not idle or waiting on I/O)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle, iowait = fields[3], fields[4]
    return (sum(fields[:8]) - idle - iowait) / os.sysconf("SC_CLK_TCK")


def database_backends(engine: Engine) -> dict[str, int]:
    """The PostgreSQL server processes serving this database now, by process id."""
    with engine.connect() as connection:
        pids = connection.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()")).scalars()
        return {f"postgres-{pid}": pid for pid in pids}


def bucket_bytes(store: S3ObjectStore, bucket: str) -> tuple[int, int]:
    """Objects in `bucket` and their total size."""
    count = total = 0
    for stored in store.list(bucket):
        count += 1
        total += stored.size
    return count, total


def database_bytes(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()


class FolderPeak:
    """The largest size a folder reaches while it is watched (polled in a thread). Each look
    walks the whole folder, which costs the pipeline being measured CPU: every 0.5 s took 17 %
    of a core through a 20,000-song import, so it looks every 2 s."""

    def __init__(self, folder: Path, every_s: float = 2.0) -> None:
        self.folder, self.every_s, self.peak = folder, every_s, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="staging-peak", daemon=True)

    def __enter__(self) -> FolderPeak:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _watch(self) -> None:
        while not self._stop.is_set():
            if self.folder.exists():
                self.peak = max(self.peak, tree_bytes(self.folder))
            self._stop.wait(self.every_s)


def typo(word: str) -> str:
    """The word with the letter in its middle left out, a slip the search forgives in words
    of seven letters or more (two letters swapped in a six-letter word it does not)."""
    i = len(word) // 2
    return word[:i] + word[i + 1:]


def page_paths(engine: Engine, rng: random.Random) -> tuple[dict[str, str], str | None]:
    """The pages to time (home, library, a typo search, sync and one song's page), and the
    misspelt word searched for."""
    with engine.connect() as connection:
        songs = connection.execute(text("SELECT id, title FROM songs ORDER BY id")).all()
    words = sorted({w for _, title in songs for w in title.lower().split()
                    if w.isalpha() and len(w) >= 7})
    song_id = rng.choice(songs)[0]
    paths = {"home": "/", "library": "/library"}
    word = rng.choice(words) if words else None
    if word:
        paths[f"library typo search ({word} -> {typo(word)})"] = f"/library?q={typo(word)}"
    paths["sync"] = "/sync"
    paths["song page"] = f"/songs/{song_id}"
    return paths, word and typo(word)


def time_pages(base: str, token: str, paths: dict[str, str],
               requests: int) -> dict[str, tuple[float, float, int]]:
    """Median and slowest time (ms) of each page over `requests` requests, and its size."""
    timings = {}
    with httpx.Client(base_url=base, timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        for name, path in paths.items():
            response = client.get(path)  # the first request warms caches and is not counted
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}: "
                                 f"{response.text[:300]}")
            times = []
            for _ in range(requests):
                started = time.perf_counter()
                response = client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                response.raise_for_status()
            timings[name] = (statistics.median(times), max(times), len(response.content))
    return timings
