"""Memory bench: each service's peak resident memory (VmHWM) while a large pack and a whole
library go through the running services, against the limits and the service's own idle size.

    python bench/memory.py [--pack-gb GB] [--song-mb MB] [--songs N] [--via upload|import]
                           [--skip pack|library]

Starts its own stack (a fresh database and RabbitMQ virtual host, SeaweedFS on a free loopback
port, the four services as processes, as bench/ingest.py does), lets it settle and reads each
service's resident memory idle. Then, each phase starting from the memory the service holds
then (its peak is reset through /proc/PID/clear_refs):

- pack: one zip of --pack-gb GB (default 4) made of --song-mb MB songs (default 20: a corpus
  chart plus stems of random bytes, which do not compress), written to disk as it is made and
  streamed to the upload API;
- library: --songs songs (default 10,000), small corpus charts made unique, as one zip pack
  through the upload API (`--via upload`) or as a Songs folder through `chhub import`
  (`--via import`).

Prints, per service, the idle memory, each phase's peak, the peak over idle and the limit;
exits 1 when a peak is over its limit. Progress is polled the way a client follows an upload.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.ingest import add_song, upload_file  # noqa: E402
from bench.library_figures import peak_memory_mb  # noqa: E402
from bench.library_folder import write_songs_folder, write_songs_pack  # noqa: E402
from bench.library_scale import run_import  # noqa: E402
from tests.support import stack as stacks  # noqa: E402
from tests.support.corpus import CORPUS  # noqa: E402
from tests.support.songs import wait_for_upload  # noqa: E402

LIMITS_MB = {"ingest": 300, "gateway": 150, "catalog": 150, "sync": 150, "search": 512}
"""The search index grows with the library: its limit is the Kubernetes manifest's."""
SETTLE_S, SETTLE_STEP_S, SETTLED_MB = 120.0, 3.0, 1.0


def load_text() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def settled_memory_mb(pids: dict[str, int]) -> dict[str, float]:
    """Each process's resident memory once it has stopped growing (its imports and
    connections done), or after SETTLE_S."""
    deadline = time.monotonic() + SETTLE_S
    before = {name: now for name, (_, now) in peak_memory_mb(pids).items()}
    while True:
        time.sleep(SETTLE_STEP_S)
        now = {name: now for name, (_, now) in peak_memory_mb(pids).items()}
        if time.monotonic() > deadline or all(
                abs(now[name] - before[name]) < SETTLED_MB for name in now):
            return now
        before = now


def reset_peaks(pids: dict[str, int]) -> None:
    """Start each process's VmHWM again from its present resident size."""
    for pid in pids.values():
        Path(f"/proc/{pid}/clear_refs").write_text("5")


def write_pack(path: Path, gigabytes: float, song_mb: float) -> int:
    songs = max(1, round(gigabytes * 1024 / song_mb))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for index in range(songs):
            add_song(archive, f"memory-{time.time_ns()}-{index}", song_mb,
                     folder=f"Song {index}/")
    return songs


def send_pack(stack: stacks.Stack, token: str, pack: Path, songs: int) -> str:
    started = time.perf_counter()
    upload_id = upload_file(stack, token, pack)
    sent = time.perf_counter() - started
    details = wait_for_upload(stack, upload_id, timeout=max(600, songs * 2.0))
    return (f"{pack.stat().st_size / 2**30:.2f} GiB, {songs} songs: sent in {sent:.0f} s, "
            f"{details['state']} after {time.perf_counter() - started:.0f} s")


def phase_pack(stack: stacks.Stack, token: str, work: Path, args: argparse.Namespace) -> str:
    pack = work / "pack.zip"
    started = time.perf_counter()
    songs = write_pack(pack, args.pack_gb, args.song_mb)
    print(f"  written in {time.perf_counter() - started:.0f} s", flush=True)
    try:
        return send_pack(stack, token, pack, songs)
    finally:
        pack.unlink()


def phase_library(stack: stacks.Stack, token: str, work: Path,
                  args: argparse.Namespace) -> str:
    charts = CORPUS / "charts"
    started = time.perf_counter()
    if args.via == "import":
        folder = write_songs_folder(work / "Songs", charts, args.songs, tag="memory")
        print(f"  written in {time.perf_counter() - started:.0f} s", flush=True)
        started = time.perf_counter()
        summary = run_import(stack, folder.root, token, timeout=max(900, args.songs * 1.0),
                             parallel=4)
        shutil.rmtree(folder.root)
        first = summary.splitlines()[0] if summary else ""
        return f"chhub import in {time.perf_counter() - started:.0f} s: {first}"
    pack = work / "library.zip"
    write_songs_pack(pack, charts, args.songs, tag=f"memory-{time.time_ns()}")
    print(f"  written in {time.perf_counter() - started:.0f} s", flush=True)
    try:
        return send_pack(stack, token, pack, args.songs)
    finally:
        pack.unlink()


def report(idle: dict[str, float], peaks: dict[str, dict[str, float]]) -> list[str]:
    """The table of figures; the services over their limit."""
    phases = list(peaks)
    print("\nresident memory, MB (idle: VmRSS settled; phases: VmHWM from the phase's start)")
    print(f"{'service':<8} {'idle':>6} " + " ".join(f"{p:>8}" for p in phases)
          + f" {'peak/idle':>9} {'limit':>6}")
    over = []
    for name, limit in LIMITS_MB.items():
        peak = max((peaks[p].get(name, 0.0) for p in phases), default=0.0)
        print(f"{name:<8} {idle[name]:6.0f} "
              + " ".join(f"{peaks[p].get(name, 0.0):8.0f}" for p in phases)
              + f" {peak / idle[name]:9.2f} {limit:6d}" + ("  OVER" if peak > limit else ""))
        if peak > limit:
            over.append(name)
    return over


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack-gb", type=float, default=4.0, help="size of the large pack")
    parser.add_argument("--song-mb", type=float, default=20.0, help="size of its songs")
    parser.add_argument("--songs", type=int, default=10_000, help="songs in the library phase")
    parser.add_argument("--via", choices=("upload", "import"), default="upload",
                        help="the library as one zip upload, or a Songs folder by chhub import")
    parser.add_argument("--skip", choices=("pack", "library"), action="append", default=[])
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chhub-memory-"))
    # Named per run, so two runs on one machine never share a database or virtual host.
    database_name, vhost = f"chhub_bench_memory_{os.getpid()}", f"chhub-bench-memory-{os.getpid()}"
    s3_port = stacks.free_s3_port()
    s3 = stacks.start_s3(work / "s3", port=s3_port)
    env = stacks.stack_env(work, database=stacks.fresh_database(database_name),
                           broker=stacks.fresh_vhost(vhost), s3_endpoint=f"127.0.0.1:{s3_port}",
                           log_messages=False)
    env["CHHUB_LOG_LEVEL"] = "WARNING"
    stack = stacks.Stack(env, work)
    over: list[str] = []
    try:
        stack.chhub("setup")
        stack.start_search()  # the deployed shape: the index in its own process
        for service in stacks.SERVICES:
            stack.start(service)
        token = (work / "admin-token").read_text().strip()
        pids = {name: process.pid for name, process in stack.processes.items()}
        print(f"load average at start (1, 5, 15 min): {load_text()}", flush=True)
        idle = settled_memory_mb(pids)
        phases = {"pack": phase_pack, "library": phase_library}
        peaks: dict[str, dict[str, float]] = {}
        for phase, run in phases.items():
            if phase in args.skip:
                continue
            print(f"{phase}:", flush=True)
            reset_peaks(pids)
            print(f"  {run(stack, token, work, args)}", flush=True)
            peaks[phase] = {name: peak for name, (peak, _) in peak_memory_mb(pids).items()}
            gone = set(pids) - set(peaks[phase])
            if gone:
                raise SystemExit(f"{', '.join(sorted(gone))} exited; logs in {work}")
        over = report(idle, peaks)
        print(f"\nload average at end (1, 5, 15 min): {load_text()}", flush=True)
    finally:
        stack.stop_all()
        stacks.stop(s3)
        stacks.drop_database(database_name)
        stacks.drop_vhost(vhost)
        if over:
            for name in over:
                shutil.copy(work / f"{name}.log", Path(tempfile.gettempdir())
                            / f"chhub-memory-{name}.log")
        shutil.rmtree(work, ignore_errors=True)
    if over:
        raise SystemExit(f"over the limit: {', '.join(over)} (logs in {tempfile.gettempdir()}"
                         "/chhub-memory-*.log)")


if __name__ == "__main__":
    main()
