"""Ingest bench: songs per second end to end through the running services, against the floor
of plain `unzip`, and each service's peak memory while one large pack streams through.

    python bench/ingest.py [--songs N] [--song-mb MB] [--pack-gb GB] [--telemetry on|off]
                           [--workers W] [--parallel P]
    python bench/ingest.py --telemetry compare [--rounds R] [--songs N] [--song-mb MB]

Starts its own stack (a fresh database `chhub_bench`, virtual host `chhub-bench`, SeaweedFS on
a free loopback port, the four services as processes). Each song is a real corpus chart folder plus
generated audio stems (random bytes: like real Ogg they do not compress), so archives have the
size of players' songs. The songs are sent P at a time (4 by default, as `chhub import` sends a
library). Prints songs/s for the pipeline and for `unzip` of the same archives into a folder
(the floor), their ratio, the time each stage and each process (the S3 server too) spent per
song, and each service's peak RSS (VmHWM) after the pack.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from services.importer.client import DEFAULT_PARALLEL  # noqa: E402
from services.workers import INGEST_STAGES  # noqa: E402
from tests.support import stack as stacks  # noqa: E402
from tests.support.corpus import CORPUS  # noqa: E402
from tests.support.songs import song_files, wait_for_upload  # noqa: E402

CHART = CORPUS / "charts" / "donnaken15-charts" / "Amazing"
STEMS = ("song.ogg", "guitar.ogg", "bass.ogg", "drums.ogg")


def write_song_zip(path: Path, tag: str, song_mb: float, folder: str = "") -> None:
    with zipfile.ZipFile(path, "a" if path.exists() else "w", zipfile.ZIP_DEFLATED) as archive:
        add_song(archive, tag, song_mb, folder)


def add_song(archive: zipfile.ZipFile, tag: str, song_mb: float, folder: str = "") -> None:
    """One song into an open archive: the corpus chart plus stems of random bytes (stored, as
    they would not compress), one stem in memory at a time."""
    stem_bytes = int(song_mb * 1024 * 1024 / len(STEMS))
    files = song_files(CHART, tag)
    for name, data in files.items():
        if name not in STEMS:
            archive.writestr(f"{folder}{name}", data)
    for stem in STEMS:
        archive.writestr(zipfile.ZipInfo(f"{folder}{stem}"), os.urandom(stem_bytes),
                         compress_type=zipfile.ZIP_STORED)


def unzip_floor(archives: list[Path], into: Path) -> float:
    into.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    for index, archive in enumerate(archives):
        subprocess.run(["unzip", "-q", "-o", str(archive), "-d", str(into / str(index))],
                       check=True)
    return time.perf_counter() - started


def upload_file(stack: stacks.Stack, token: str, path: Path) -> str:
    with path.open("rb") as body:
        response = httpx.post(f"{stack.gateway_url}/api/uploads/?filename={path.name}",
                              content=body, timeout=None,
                              headers={"Authorization": f"Bearer {token}",
                                       "Content-Type": "application/octet-stream"})
    response.raise_for_status()
    return response.json()["upload_id"]


def peak_memory_mb(stack: stacks.Stack) -> dict[str, float]:
    peaks = {}
    for name, process in stack.processes.items():
        status = Path(f"/proc/{process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM"))
        peaks[name] = int(line.split()[1]) / 1024
    return peaks


def stage_seconds(metrics_ports: dict[str, int]) -> dict[str, float]:
    """Time spent in each stage's handler so far, summed over every process."""
    spent: dict[str, float] = {}
    for port in metrics_ports.values():
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        for line in text.splitlines():
            if line.startswith("chhub_stage_duration_seconds_sum{"):
                stage = line.split('stage="', 1)[1].split('"', 1)[0]
                spent[stage] = spent.get(stage, 0.0) + float(line.rsplit(" ", 1)[1])
    return spent


def cpu_seconds(processes: dict[str, subprocess.Popen]) -> dict[str, float]:
    """CPU time (user + system) each process has used so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for name, process in processes.items():
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        used[name] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=10, help="songs in the throughput run")
    parser.add_argument("--song-mb", type=float, default=20.0, help="size of each song")
    parser.add_argument("--pack-gb", type=float, default=2.0, help="size of the memory pack")
    parser.add_argument("--telemetry", choices=("on", "off", "compare"), default="on",
                        help="traces and metrics on or off, or `compare`: interleaved rounds "
                             "of both and their median time ratio (bench/telemetry_overhead.py)")
    parser.add_argument("--rounds", type=int, default=5, help="pairs of rounds for compare")
    parser.add_argument("--parallel", type=int, default=DEFAULT_PARALLEL,
                        help="uploads sent at once, as `chhub import --parallel` does")
    parser.add_argument("--workers", type=int, default=1,
                        help="ingest processes for unpack, extract and parse (stage workers)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chhub-bench-"))
    s3_port = stacks.free_s3_port()
    s3 = stacks.start_s3(work / "s3", port=s3_port)
    env = stacks.stack_env(work, database=stacks.fresh_database("chhub_bench"),
                           broker=stacks.fresh_vhost("chhub-bench"),
                           s3_endpoint=f"127.0.0.1:{s3_port}", log_messages=False)
    env["CHHUB_LOG_LEVEL"] = "WARNING"
    env["CHHUB_TELEMETRY_ENABLED"] = "false" if args.telemetry == "off" else "true"
    stack = stacks.Stack(env, work)
    try:
        stack.chhub("setup")
        metrics_ports = {}
        stack.start_search()  # the deployed shape: the index in its own process
        for service in stacks.SERVICES:
            metrics_ports[service] = stacks.free_port()
            stack.start(service, CHHUB_METRICS_PORT=str(metrics_ports[service]))
        for extra in range(2, args.workers + 1):
            metrics_ports[f"ingest-{extra}"] = stacks.free_port()
            stack.start("ingest", name=f"ingest-{extra}",
                        CHHUB_ONLY_CONSUMERS=json.dumps(list(INGEST_STAGES)),
                        CHHUB_METRICS_PORT=str(metrics_ports[f"ingest-{extra}"]))
        token = (work / "admin-token").read_text().strip()
        if args.telemetry == "compare":
            from bench.telemetry_overhead import compare

            def make_archives(tag: str) -> list[Path]:
                paths = [work / f"{tag}-{index}.zip" for index in range(args.songs + 1)]
                for index, path in enumerate(paths):
                    write_song_zip(path, f"bench-{tag}-{time.time_ns()}-{index}", args.song_mb)
                return paths

            compare(stack, lambda path: upload_file(stack, token, path), make_archives,
                    args.rounds)
            return

        archives = []
        for index in range(args.songs):
            archive = work / f"song-{index}.zip"
            write_song_zip(archive, f"bench-{time.time_ns()}-{index}", args.song_mb)
            archives.append(archive)
        floor_seconds = unzip_floor(archives, work / "unzipped")
        shutil.rmtree(work / "unzipped")

        watched = {**stack.processes, "s3": s3}
        cpu_before = cpu_seconds(watched)
        started = time.perf_counter()
        with ThreadPoolExecutor(args.parallel) as senders:
            uploads = list(senders.map(lambda archive: upload_file(stack, token, archive),
                                       archives))
        sent_seconds = time.perf_counter() - started
        for upload_id in uploads:
            assert wait_for_upload(stack, upload_id, timeout=600)["state"] == "completed"
        pipeline_seconds = time.perf_counter() - started

        pipeline_rate = args.songs / pipeline_seconds
        floor_rate = args.songs / floor_seconds
        print(f"songs: {args.songs} of {args.song_mb:g} MB, sent {args.parallel} at a time, "
              f"{args.workers} ingest worker(s)")
        print(f"pipeline: {pipeline_rate:.2f} songs/s ({pipeline_seconds:.1f} s)")
        print(f"uploads sent in {sent_seconds:.1f} s")
        print(f"unzip floor: {floor_rate:.2f} songs/s ({floor_seconds:.2f} s)")
        print(f"ratio pipeline/floor: {pipeline_rate / floor_rate:.3f}")
        cpu_after = cpu_seconds(watched)
        if args.telemetry == "on":
            busy = stage_seconds(metrics_ports)
            print("stage seconds per song: " + ", ".join(
                f"{stage} {seconds / args.songs:.2f}" for stage, seconds in busy.items()))
        print("cpu seconds per song: " + ", ".join(
            f"{name} {(cpu_after[name] - cpu_before[name]) / args.songs:.2f}"
            for name in watched))

        pack = work / "pack.zip"
        pack_songs = max(1, int(args.pack_gb * 1024 / 40))
        for index in range(pack_songs):
            write_song_zip(pack, f"pack-{time.time_ns()}-{index}", 40, folder=f"Song {index}/")
        for archive in archives:
            archive.unlink()
        started = time.perf_counter()
        details = wait_for_upload(stack, upload_file(stack, token, pack), timeout=3600)
        print(f"pack: {pack.stat().st_size / 2**30:.2f} GiB, {pack_songs} songs, "
              f"{details['state']} in {time.perf_counter() - started:.0f} s")
        for name, megabytes in peak_memory_mb(stack).items():
            print(f"peak memory {name}: {megabytes:.0f} MB")
    finally:
        stack.stop_all()
        stacks.stop(s3)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
