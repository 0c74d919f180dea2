"""Ingest bench: songs per second end to end through the running services, against the floor
of plain `unzip`, and each service's peak memory while one large pack streams through.

    python bench/ingest.py [--songs N] [--song-mb MB] [--pack-gb GB] [--telemetry on|off]
    python bench/ingest.py --telemetry compare [--rounds R] [--songs N] [--song-mb MB]

Starts its own stack (a fresh database `chhub_bench`, virtual host `chhub-bench`, SeaweedFS on
a free loopback port, the four services as processes). Each song is a real corpus chart folder plus
generated audio stems (random bytes: like real Ogg they do not compress), so archives have the
size of players' songs. Prints songs/s for the pipeline and for `unzip` of the same archives
into a folder (the floor), their ratio, and each service's peak RSS (VmHWM) after the pack.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import httpx  # noqa: E402

from tests.support import stack as stacks  # noqa: E402
from tests.support.songs import song_files, wait_for_upload  # noqa: E402

CHART = stacks.CORPUS / "charts" / "donnaken15-charts" / "Amazing"
STEMS = ("song.ogg", "guitar.ogg", "bass.ogg", "drums.ogg")


def write_song_zip(path: Path, tag: str, song_mb: float, folder: str = "") -> None:
    stem_bytes = int(song_mb * 1024 * 1024 / len(STEMS))
    files = song_files(CHART, tag)
    with zipfile.ZipFile(path, "a" if path.exists() else "w", zipfile.ZIP_DEFLATED) as archive:
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=10, help="songs in the throughput run")
    parser.add_argument("--song-mb", type=float, default=20.0, help="size of each song")
    parser.add_argument("--pack-gb", type=float, default=2.0, help="size of the memory pack")
    parser.add_argument("--telemetry", choices=("on", "off", "compare"), default="on",
                        help="traces and metrics on or off, or `compare`: interleaved rounds "
                             "of both and their median time ratio (bench/telemetry_overhead.py)")
    parser.add_argument("--rounds", type=int, default=5, help="pairs of rounds for compare")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="chhub-bench-"))
    s3_port = stacks.free_s3_port()
    s3 = stacks.start_s3(work / "s3", port=s3_port)
    env = stacks.stack_env(work, database=stacks.fresh_database("chhub_bench"),
                           broker=stacks.fresh_vhost("chhub-bench"),
                           s3_endpoint=f"127.0.0.1:{s3_port}")
    env["CHHUB_LOG_LEVEL"] = "WARNING"
    env["CHHUB_TELEMETRY_ENABLED"] = "false" if args.telemetry == "off" else "true"
    stack = stacks.Stack(env, work)
    try:
        stack.chhub("setup")
        for service in stacks.SERVICES:
            stack.start(service)
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

        started = time.perf_counter()
        uploads = [upload_file(stack, token, archive) for archive in archives]
        for upload_id in uploads:
            assert wait_for_upload(stack, upload_id, timeout=600)["state"] == "completed"
        pipeline_seconds = time.perf_counter() - started

        pipeline_rate = args.songs / pipeline_seconds
        floor_rate = args.songs / floor_seconds
        print(f"songs: {args.songs} of {args.song_mb:g} MB")
        print(f"pipeline: {pipeline_rate:.2f} songs/s ({pipeline_seconds:.1f} s)")
        print(f"unzip floor: {floor_rate:.2f} songs/s ({floor_seconds:.2f} s)")
        print(f"ratio pipeline/floor: {pipeline_rate / floor_rate:.3f}")

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
