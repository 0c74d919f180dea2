"""Home page bench: the gateway's `/` over a catalog of a few thousand songs.

    python bench/home_page.py [--songs N] [--requests R] [--keep]

Fills a fresh database (`chhub_bench_home`) with fake songs by COPY (bench/library_data.py),
starts the gateway against it and a fresh RabbitMQ virtual host, sends R sequential requests
to `/` and prints the median and p95 latency, and the gateway's open connections to the
broker before and after (a page view must not open one).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from gateway import fill, start_gateway  # noqa: E402

from tests.support import stack  # noqa: E402
from tests.support.sockets import connections_to  # noqa: E402

DATABASE, VHOST = "chhub_bench_home", "chhub-bench-home"
BROKER_PORT = 5672


def measure(base: str, requests: int) -> list[float]:
    timings = []
    with httpx.Client(base_url=base, timeout=30) as client:
        for _ in range(requests):
            started = time.perf_counter()
            client.get("/").raise_for_status()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    workdir = Path(f"/tmp/{DATABASE}")
    workdir.mkdir(exist_ok=True)
    database = stack.fresh_database(DATABASE)
    fill(database, args.songs)
    process, base = start_gateway(workdir, database, stack.fresh_vhost(VHOST))
    try:
        measure(base, 10)  # warm caches and connection pools
        before = len(connections_to(process.pid, BROKER_PORT))
        timings = measure(base, args.requests)
        after = len(connections_to(process.pid, BROKER_PORT))
        p95 = statistics.quantiles(timings, n=20)[-1]
        print(f"{args.songs} songs, {args.requests} requests of /: median "
              f"{statistics.median(timings):.1f} ms, p95 {p95:.1f} ms; broker connections "
              f"{before} before, {after} after", flush=True)
    finally:
        stack.stop(process)
        stack.drop_vhost(VHOST)
        if not args.keep:
            stack.drop_database(DATABASE)


if __name__ == "__main__":
    main()
