"""Library scale bench: a whole player's Songs folder through `chhub import` into a fresh stack,
and how the pipeline carries it: songs/s per tenth, memory, bytes stored, page times.

    python bench/library_scale.py [--songs N] [--zip-every K] [--audio-kb KB] [--workers W]
                                  [--parallel P] [--keep]

Writes N songs (default 1,000; run it at 1,000, 5,000 and 20,000) into a Songs folder laid out
as a player's (Artist/Title folders, every K-th song a .zip archive), each a corpus chart folder
(cycled) plus a marker file so its content hash is new, optionally with a generated stem of KB
random bytes (like Ogg, it does not compress). Starts its own stack (a fresh database and
RabbitMQ virtual host, SeaweedFS on a free loopback port, the four services as processes) and
imports the folder with the real CLI; the ingest stages run in as many processes as `chhub run
all` starts on this machine (one per core, at most 4), or `--workers`. Prints, from the
catalog's rows, songs sent and published per second in each tenth of the songs; the CPU seconds
each process (and the database's server processes) spent per song; each service's peak memory
(VmHWM); bytes stored per byte of songs in the songs and uploads buckets, the content folder,
the database and staging at its peak; the median time of the home, library, typo search, sync
and song pages; the upload to published time of one more song into the full library; and the
machine's load before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402
from sqlalchemy import Engine, create_engine, text  # noqa: E402

from bench import library_figures as figures  # noqa: E402
from bench.library_folder import (  # noqa: E402
    SongsFolder,
    chart_folders,
    tree_bytes,
    write_songs_folder,
)
from services.workers import INGEST_STAGES, workers_per_stage  # noqa: E402
from shared.storage import S3ObjectStore  # noqa: E402
from tests.support import stack as stacks  # noqa: E402
from tests.support.corpus import CORPUS  # noqa: E402
from tests.support.songs import END_STATES, song_files, upload_folder  # noqa: E402

CHARTS = CORPUS / "charts"
SONGS_BUCKET, UPLOADS_BUCKET = "chhub-songs", "chhub-uploads"


def run_import(stack: stacks.Stack, songs: Path, token: str, timeout: float,
               parallel: int) -> str:
    """`chhub import` of the Songs folder; its summary (the lines from "Done:" on)."""
    chhub = Path(sys.executable).with_name("chhub")
    command = [str(chhub)] if chhub.exists() else [sys.executable, "-m", "services.cli"]
    log = stack.workdir / "import.log"
    with log.open("wb") as output:
        try:
            finished = subprocess.run(
                [*command, "import", str(songs), "--server", stack.gateway_url, "--token", token,
                 "--parallel", str(parallel)],
                env=stack.env, cwd=stack.workdir, stdout=output, stderr=subprocess.STDOUT,
                timeout=timeout)
        except subprocess.TimeoutExpired:
            raise SystemExit(f"chhub import did not finish in {timeout:.0f} s") from None
    lines = log.read_text(errors="replace").replace("\r", "\n").splitlines()
    summary = next((i for i, line in enumerate(lines) if line.startswith("Done:")), None)
    if summary is None:
        raise SystemExit(f"chhub import exited {finished.returncode} without a summary:\n"
                         + "\n".join(lines[-20:]))
    return "\n".join(lines[summary:summary + 11])


def one_more_song(stack: stacks.Stack, token: str, engine: Engine) -> tuple[float, float]:
    """Seconds from sending one new song until its upload reads completed (as a client sees
    it), and from its upload row to its song row (as the catalog recorded them)."""
    files = song_files(chart_folders(CHARTS)[0], f"scale-extra-{time.time_ns()}")
    started = time.perf_counter()
    upload_id = upload_folder(stack, token, files)
    deadline = time.monotonic() + 120
    state = ""
    with httpx.Client(base_url=stack.gateway_url, timeout=10) as client:
        while state not in END_STATES:
            if time.monotonic() > deadline:
                raise SystemExit(f"upload {upload_id} did not finish in 120 s ({state})")
            state = client.get(f"/api/uploads/{upload_id}").json()["state"]
            if state not in END_STATES:
                time.sleep(0.05)
    seen = time.perf_counter() - started
    if state != "completed":
        raise SystemExit(f"the extra song's upload ended {state}")
    with engine.connect() as connection:
        recorded = connection.execute(text(
            "SELECT extract(epoch FROM s.created_at - u.created_at) FROM songs s "
            "JOIN uploads u ON u.id = s.upload_id WHERE u.id = :id"), {"id": upload_id}).scalar()
    return seen, float(recorded)


def report_import(engine: Engine, folder: SongsFolder, started_at: float, seconds: float,
                  summary: str) -> None:
    sent, published = figures.catalog_times(engine)
    print(f"\nchhub import: {seconds:.1f} s\n  {summary.replace(chr(10), chr(10) + '  ')}")
    if not published:
        raise SystemExit("no song was published")
    first = sent[0].timestamp()
    span = (published[-1] - sent[0]).total_seconds()
    print(f"reading the Songs folder before the first upload: {first - started_at:.1f} s")
    print(f"published {len(published)} of {folder.songs} songs in {span:.1f} s from the first "
          f"upload: {len(published) / span:.2f} songs/s")
    print("tenth  songs  sent/s  published/s  ended after")
    for k, tenth in enumerate(figures.tenths(sent, published), 1):
        print(f"{k:>5}  {tenth.songs:>5}  {tenth.sent_per_s:>6.2f}  {tenth.published_per_s:>11.2f}"
              f"  {tenth.ended_after_s:>9.1f} s")


def report_cpu(before: dict[str, float], after: dict[str, float], songs: int) -> None:
    print(f"\nCPU seconds during the import (per song in ms; {os.cpu_count()} cores)")
    spent = {name: after[name] - before.get(name, 0.0) for name in after}
    machine = spent.pop("machine")
    database = sum(seconds for name, seconds in spent.items() if name.startswith("postgres-"))
    rows = {**{name: seconds for name, seconds in spent.items()
               if not name.startswith("postgres-")}, "postgres": database}
    for name, seconds in rows.items():
        print(f"  {name:<10} {seconds:8.1f} s  {1000 * seconds / songs:7.1f} ms/song")
    total = sum(rows.values())
    print(f"  {'all':<10} {total:8.1f} s  {1000 * total / songs:7.1f} ms/song  (postgres: the "
          "server processes still connected at the end; rabbitmq: the whole broker)")
    print(f"  {'machine':<10} {machine:8.1f} s  {1000 * machine / songs:7.1f} ms/song  (every "
          "process, the bench's own included)")


def report_storage(stack: stacks.Stack, engine: Engine, folder: SongsFolder,
                   staging_peak: int) -> None:
    store = S3ObjectStore(endpoint=stack.env["CHHUB_S3_ENDPOINT"],
                          access_key=stacks.ACCESS_KEY, secret_key=stacks.SECRET_KEY)
    per = folder.song_bytes
    print(f"\nbytes stored per byte of songs ({per / 2**20:.1f} MiB of song files, "
          f"{tree_bytes(folder.root) / 2**20:.1f} MiB as the Songs folder holds them)")
    for bucket in (SONGS_BUCKET, UPLOADS_BUCKET):
        count, total = figures.bucket_bytes(store, bucket)
        print(f"  bucket {bucket:<14} {total / per:6.3f}  ({count} objects, "
              f"{total / 2**20:.1f} MiB)")
    for name, path in (("content songs/", stack.content_dir / "songs"),
                       ("content folder", stack.content_dir)):
        total = tree_bytes(path)
        print(f"  {name:<21} {total / per:6.3f}  ({total / 2**20:.1f} MiB)")
    database = figures.database_bytes(engine)
    print(f"  {'database':<21} {database / per:6.3f}  ({database / 2**20:.1f} MiB)")
    print(f"  {'staging at its peak':<21} {staging_peak / per:6.3f}  "
          f"({staging_peak / 2**20:.1f} MiB; {tree_bytes(stack.staging_dir) / 2**20:.1f} MiB "
          "left after the import)")


def report_pages(stack: stacks.Stack, token: str, engine: Engine, requests: int) -> None:
    paths, misspelt = figures.page_paths(engine, random.Random(7))
    print(f"\npages (median and slowest of {requests} requests, after one warm-up)")
    if misspelt:
        found = httpx.get(f"{stack.gateway_url}/api/library", params={"q": misspelt},
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)
        print(f"  (the typo search finds {found.raise_for_status().json()['total']} songs)")
    for name, (median, slowest, size) in figures.time_pages(stack.gateway_url, token, paths,
                                                            requests).items():
        print(f"  {name:<46} {median:7.1f} ms  max {slowest:7.1f} ms  ({size / 1024:.0f} KiB)")


def keep_logs(work: Path) -> None:
    """The services' and the import's logs, kept where a failed run can be looked into."""
    logs = Path(tempfile.gettempdir()) / f"{work.name}-logs"
    logs.mkdir(exist_ok=True)
    for log in work.glob("*.log"):
        shutil.copy(log, logs / log.name)
    print(f"logs of the run: {logs}", file=sys.stderr)


def load_text() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=1000, help="songs in the Songs folder")
    parser.add_argument("--zip-every", type=int, default=10,
                        help="every K-th song is a .zip archive (0: none)")
    parser.add_argument("--audio-kb", type=int, default=0,
                        help="add a generated stem of this many KB to every song")
    parser.add_argument("--requests", type=int, default=20, help="requests per page timed")
    parser.add_argument("--timeout", type=float, default=0,
                        help="seconds the import may take (default: 120 + 2 per song)")
    parser.add_argument("--workers", type=int, default=None,
                        help="ingest processes for unpack, extract and parse (stage workers); "
                             "by default as many as `chhub run all` starts on this machine")
    parser.add_argument("--parallel", type=int, default=4,
                        help="uploads chhub import keeps in flight (its --parallel)")
    parser.add_argument("--keep", action="store_true",
                        help="leave the stack running for inspection until Ctrl-C")
    args = parser.parse_args()
    timeout = args.timeout or 120 + 2 * args.songs
    ingest_workers = args.workers or workers_per_stage({})[INGEST_STAGES[0]]
    # Stopped by a signal, the finally below still stops the processes and removes the files.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    print(f"load average at start (1, 5, 15 min): {load_text()}  on {os.cpu_count()} cores; "
          f"{ingest_workers} ingest process(es)", flush=True)
    work = Path(tempfile.mkdtemp(prefix="chhub-scale-"))
    database_name, vhost = f"chhub_bench_scale_{os.getpid()}", f"chhub-bench-scale-{os.getpid()}"
    s3 = stack = engine = None
    finished = False
    try:
        started = time.perf_counter()
        folder = write_songs_folder(work / "Songs", CHARTS, args.songs,
                                    zip_every=args.zip_every, audio_kb=args.audio_kb)
        print(f"Songs folder: {folder.songs} songs ({folder.archives} as .zip) from "
              f"{len(chart_folders(CHARTS))} corpus charts, written in "
              f"{time.perf_counter() - started:.1f} s", flush=True)

        s3_port = stacks.free_s3_port()
        s3 = stacks.start_s3(work / "s3", port=s3_port)
        database = stacks.fresh_database(database_name)
        env = stacks.stack_env(work, database=database, broker=stacks.fresh_vhost(vhost),
                               s3_endpoint=f"127.0.0.1:{s3_port}", log_messages=False)
        env["CHHUB_LOG_LEVEL"] = "WARNING"
        stack = stacks.Stack(env, work)
        stack.chhub("setup")
        stack.start_search()  # the deployed shape: the index in its own process
        for service in stacks.SERVICES:
            stack.start(service)
        for extra in range(2, ingest_workers + 1):
            stack.start("ingest", name=f"ingest-{extra}",
                        CHHUB_ONLY_CONSUMERS=json.dumps(list(INGEST_STAGES)))
        token = (work / "admin-token").read_text().strip()
        engine = create_engine(database)

        pids = {name: process.pid for name, process in stack.processes.items()}
        pids["s3"] = s3.pid
        broker = figures.broker_pid()
        if broker is not None:
            pids["rabbitmq"] = broker
        cpu_before = figures.cpu_seconds({**pids, **figures.database_backends(engine)})
        cpu_before["machine"] = figures.machine_busy_seconds()
        importer_before = resource.getrusage(resource.RUSAGE_CHILDREN)
        with figures.FolderPeak(stack.staging_dir) as staging:
            started_at, started = time.time(), time.perf_counter()
            summary = run_import(stack, folder.root, token, timeout, args.parallel)
            seconds = time.perf_counter() - started
        importer = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_after = figures.cpu_seconds({**pids, **figures.database_backends(engine)})
        cpu_after["machine"] = figures.machine_busy_seconds()
        cpu_after["import"] = (importer.ru_utime + importer.ru_stime
                               - importer_before.ru_utime - importer_before.ru_stime)
        report_import(engine, folder, started_at, seconds, summary)
        report_cpu(cpu_before, cpu_after, folder.songs)

        print("\npeak memory (VmHWM; now VmRSS)")
        for name, (peak, now) in figures.peak_memory_mb(pids).items():
            print(f"  {name:<8} {peak:7.0f} MB  (now {now:.0f} MB)")
        report_storage(stack, engine, folder, staging.peak)
        report_pages(stack, token, engine, args.requests)
        seen, recorded = one_more_song(stack, token, engine)
        print(f"\none more song into {figures.song_count(engine) - 1} songs: upload to published "
              f"{seen:.2f} s as the client sees it, {recorded:.2f} s upload row to song row")
        print(f"\nload average at end (1, 5, 15 min): {load_text()}", flush=True)
        if args.keep:
            print(f"\nkept: {stack.gateway_url} (token {token}), files in {work}, database "
                  f"{database_name}; Ctrl-C stops and removes it all", flush=True)
            while True:
                time.sleep(3600)
        finished = True
    except KeyboardInterrupt:
        finished = args.keep
        print("interrupted", file=sys.stderr)
    finally:
        if engine is not None:
            engine.dispose()
        if stack is not None:
            stack.stop_all()
        if s3 is not None:
            stacks.stop(s3)
        stacks.drop_database(database_name)
        stacks.drop_vhost(vhost)
        if not finished:
            keep_logs(work)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
