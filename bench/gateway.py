"""Library search bench: the gateway process over a 100,000-song catalog, loaded over HTTP.

    python bench/gateway.py [--songs N] [--seconds S] [--keep]

Fills a fresh database (`chhub_bench_gateway`) with fake songs by COPY, starts
`python -m services.cli run gateway` against it (with a fresh RabbitMQ virtual host), then
loads it with wrk (Debian's `wrk`, a separate process costing the machine little) sending
varied `/api/library` requests (typos, filters, sorts, pages; never the same one twice in a
row on a connection; `wrk_varied.lua`) at 4 and 16 concurrent connections, and prints
requests/s and p50/p95 latency per scenario. Target: p95 < 100 ms at 4 connections for a
typo search with two filters. Loads the HTML page `/library` the same way.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from library_data import GENRES, Library  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from tests.support import stack  # noqa: E402

DATABASE, VHOST = "chhub_bench_gateway", "chhub-bench-gateway"
WRK_SCRIPT = Path(__file__).with_name("wrk_varied.lua")
FILTERS = (
    {"instrument": "drums", "difficulty": "expert"}, {"instrument": "bass"},
    {"has_solos": "true"}, {"drum_type": "fourLanePro"}, {"has_lyrics": "true"},
    {"min_year": "1990", "max_year": "2009"}, {"min_length_s": "180"}, {"has_issues": "false"},
)
SORTS = ("name", "artist", "album", "year", "length", "added", "nps")


def fill(url: str, songs: int) -> Library:
    library = Library()
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            library.write(cursor, songs)
        raw.commit()
        # An established library: statistics gathered and the GIN indexes' pending entries
        # merged, as autovacuum leaves them after a bulk load.
        raw.driver_connection.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE songs, song_charts, search_words")
    finally:
        raw.close()
        engine.dispose()
    return library


def typo(word: str, rng: random.Random) -> str:
    """One slip of the finger: a letter dropped, doubled, swapped or replaced."""
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    return rng.choice((word[:i] + word[i + 1:], word[:i] + word[i] + word[i:],
                       word[:i] + word[i + 1] + word[i] + word[i + 2:],
                       word[:i] + rng.choice("aeiourstn") + word[i + 1:]))


def typo_query(library: Library, rng: random.Random) -> dict[str, str]:
    song = rng.choice(library.songs)
    words = [w for w in f"{song.title} {song.artist}".lower().split() if len(w) > 3] or ["love"]
    text = " ".join(typo(w, rng) for w in rng.sample(words, min(len(words), rng.randint(1, 2))))
    params = {"q": text}
    for extra in rng.sample(FILTERS, 2):
        params.update(extra)
    return params


def browse_query(library: Library, rng: random.Random) -> dict[str, str]:
    params = {"sort": rng.choice(SORTS), "page": str(rng.randint(1, 20))}
    if rng.random() < 0.5:
        params["descending"] = "true"
    if rng.random() < 0.5:
        params.update(rng.choice(FILTERS))
    if rng.random() < 0.2:
        params["genre"] = rng.choice(GENRES)
    return params


def mixed_query(library: Library, rng: random.Random) -> dict[str, str]:
    roll = rng.random()
    if roll < 0.45:
        return typo_query(library, rng)
    if roll < 0.9:
        return browse_query(library, rng)
    return {"duplicates": rng.choice(("chart", "title")), "page": str(rng.randint(1, 3))}


def urls(path: str, make, library: Library, count: int = 3000) -> list[str]:
    rng = random.Random(11)
    made = [f"{path}?{urlencode(make(library, rng))}" for _ in range(count)]
    # Neighbours differ, so no connection asks the same thing twice in a row.
    return [u for i, u in enumerate(made) if i == 0 or u != made[i - 1]]


def load(base: str, targets: list[str], connections: int, seconds: float) -> dict[str, float]:
    """Requests/s and p50/p95 latency (ms) of `targets` sent by wrk over `connections`."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
        listing.write("\n".join(targets) + "\n")
        listing.flush()
        finished = subprocess.run(
            ["wrk", f"--threads={min(connections, 2)}", f"--connections={connections}",
             f"--duration={seconds:g}s", "--timeout=30s", f"--script={WRK_SCRIPT}", base],
            env={**os.environ, "WRK_URLS": listing.name}, capture_output=True, text=True,
            check=True)
    [line] = [line for line in finished.stdout.splitlines() if line.startswith("RESULT ")]
    requests, rps, p50, p95, errors = line.split()[1:]
    return {"requests": int(requests), "rps": float(rps), "p50": float(p50),
            "p95": float(p95), "errors": int(errors)}


def start_gateway(workdir: Path, database: str, broker: str) -> tuple[subprocess.Popen, str]:
    env = stack.stack_env(workdir, database=database, broker=broker, s3_endpoint="127.0.0.1:9")
    base = f"http://127.0.0.1:{env['CHHUB_GATEWAY_PORT']}"
    log = (workdir / "gateway.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "services.cli", "run", "gateway"], env=env,
                               cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/api/library/totals", timeout=5).status_code == 200:
                return process, base
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    stack.stop(process)
    raise SystemExit(f"the gateway did not start; see {workdir / 'gateway.log'}")


def report(name: str, connections: int, result: dict[str, float]) -> None:
    print(f"{name:<32} {connections:>3} conn  {result['rps']:7.1f} req/s  "
          f"p50 {result['p50']:6.1f} ms  p95 {result['p95']:6.1f} ms  "
          f"({result['requests']} requests, {result['errors']} errors)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/gateway.py loads the gateway with wrk: apt-get install wrk")
    workdir = Path(f"/tmp/{DATABASE}")
    workdir.mkdir(exist_ok=True)
    database = stack.fresh_database(DATABASE)
    started = time.perf_counter()
    library = fill(database, args.songs)
    print(f"{args.songs} songs written in {time.perf_counter() - started:.1f} s", flush=True)
    process, base = start_gateway(workdir, database, stack.fresh_vhost(VHOST))
    try:
        run_scenarios(base, library, args.seconds)
    finally:
        stack.stop(process)
        stack.drop_vhost(VHOST)
        if not args.keep:
            stack.drop_database(DATABASE)


def run_scenarios(base: str, library: Library, seconds: float) -> None:
    scenarios = {"typo search + two filters": urls("/api/library", typo_query, library),
                 "mixed (typos, browse, duplicates)": urls("/api/library", mixed_query, library)}
    scenarios["HTML /library (mixed)"] = urls("/library", mixed_query, library)
    load(base, scenarios["mixed (typos, browse, duplicates)"], 4, 2)  # warm caches
    for connections in (4, 16):
        for name, targets in scenarios.items():
            report(name, connections, load(base, targets, connections, seconds))


if __name__ == "__main__":
    main()
