"""Library search bench: the gateway process over a 100,000-song catalog, loaded over HTTP.

    python bench/gateway.py [--songs N] [--seconds S] [--keep] [--reuse] [--index-in-gateway]

Fills a fresh database (`chhub_bench_gateway`) with fake songs by COPY (or, with `--reuse`,
takes the one a `--keep` run left with the same number of songs, brought up to the newest
migration), starts
`python -m services.cli run search` and `python -m services.cli run gateway` against it (with
a fresh RabbitMQ virtual host; `--index-in-gateway`: the gateway alone, keeping the index), then
loads it with wrk (Debian's `wrk`, a separate process costing the machine little) sending
varied `/api/library` requests (typos, filters, sorts, pages; each scenario and connection
count with requests of its own, none asked twice in a run: `wrk_varied.lua`, so no answer comes
from a cache an earlier run filled) at 4 and 16 concurrent connections, and prints
requests/s and p50/p95 latency per scenario, and each process's resident memory. Besides
typo searches and mixed browsing, the broad and selective extremes: a filter matching half
the library, a word found in about 5% of the titles, and the last page of a broad sort.
Targets at 200,000 songs: typo search with two filters p95 <= 25 ms at 4 connections and
<= 100 ms at 16; mixed browse <= 40 ms at 4; HTML `/library` <= 60 ms at 4.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
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
from tests.support.search_service import search_service  # noqa: E402

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


class _Discard:
    """A cursor that takes COPY data and keeps nothing: replays a library's songs."""

    def copy_expert(self, *_: object) -> None:
        pass


def reuse(name: str, songs: int) -> tuple[str, Library] | None:
    """The database a `--keep` run left with `songs` songs, migrated, and its songs."""
    url = stack.database_url(name)
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            held = connection.exec_driver_sql("SELECT count(*) FROM songs").scalar_one()
    except Exception:
        return None
    finally:
        engine.dispose()
    if held != songs:
        return None
    stack.db.upgrade(url)
    library = Library()
    library.write(_Discard(), songs)  # the same seed: the same songs, written nowhere
    return url, library


def common_word(library: Library, share: float) -> str:
    """A title word found in about `share` of the songs."""
    counts = collections.Counter(w for song in library.songs
                                 for w in set(song.title.lower().split()) if len(w) > 3)
    wanted = share * len(library.songs)
    return min(counts, key=lambda word: abs(counts[word] - wanted))


def half_query(library: Library, rng: random.Random) -> dict[str, str]:
    """Solos: half the library, in any sort, at any of the first pages."""
    params = {"has_solos": rng.choice(("true", "false")), "sort": rng.choice(SORTS),
              "page": str(rng.randint(1, 20))}
    if rng.random() < 0.5:
        params["descending"] = "true"
    return params


def word_query(library: Library, rng: random.Random) -> dict[str, str]:
    """A word in ~5% of the titles (about 10,000 of 200,000), sometimes with a filter."""
    params = {"q": typo(library.common, rng) if rng.random() < 0.3 else library.common,
              "page": str(rng.randint(1, 5))}
    if rng.random() < 0.5:
        params.update(rng.choice(FILTERS))
    return params


def last_page_query(library: Library, rng: random.Random) -> dict[str, str]:
    """The last page of the whole library (or half of it) in a broad sort."""
    per_page = rng.choice((25, 50, 100))
    total = library.groups // (2 if rng.random() < 0.5 else 1)  # one row per song
    params = {"sort": rng.choice(SORTS), "per_page": str(per_page),
              "page": str(max(1, -(-total // per_page)))}
    if total < len(library.songs):
        params["has_solos"] = "true"  # about half: the page may lie past the end
    if rng.random() < 0.5:
        params["descending"] = "true"
    return params


def syntax_query(library: Library, rng: random.Random) -> dict[str, str]:
    """A typo search written in the search box syntax with two filters."""
    params = typo_query(library, rng)
    extra = rng.sample(("nps>8", "drums:expert", "has:solos", "year:1990..2009", "-genre:pop",
                        "length>3:00", "no:issues", "bass:any"), 2)
    return {"q": " ".join([params["q"], *extra])}


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
    if roll < 0.8:
        return browse_query(library, rng)
    if roll < 0.9:
        return rng.choice((half_query, word_query, last_page_query))(library, rng)
    return {"duplicates": rng.choice(("chart", "title")), "page": str(rng.randint(1, 3))}


def urls(path: str, make, library: Library, seed: int, count: int = 6000) -> list[str]:
    """`count` requests made by `make`; each seed gives requests of its own (a search asked
    again is answered from the search service's cache of match sets, so each run asks anew)."""
    rng = random.Random(seed)
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


def start_gateway(workdir: Path, database: str, broker: str,
                  search_url: str | None) -> tuple[subprocess.Popen, str]:
    env = stack.stack_env(workdir, database=database, broker=broker, s3_endpoint="127.0.0.1:9")
    if search_url:
        env["CHHUB_SEARCH_URL"] = search_url
    base = f"http://127.0.0.1:{env['CHHUB_GATEWAY_PORT']}"
    log = (workdir / "gateway.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "services.cli", "run", "gateway"], env=env,
                               cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and process.poll() is None:
        try:  # answered once the search index is loaded
            if httpx.get(f"{base}/api/library?per_page=1", timeout=5).status_code == 200:
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
    parser.add_argument("--reuse", action="store_true",
                        help="take the database a --keep run left, if it has --songs songs")
    parser.add_argument("--index-in-gateway", action="store_true",
                        help="no search service: the gateway keeps the index itself")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/gateway.py loads the gateway with wrk: apt-get install wrk")
    workdir = Path(f"/tmp/{DATABASE}")
    workdir.mkdir(exist_ok=True)
    started = time.perf_counter()
    reused = reuse(DATABASE, args.songs) if args.reuse else None
    if reused is not None:
        database, library = reused
        print(f"{args.songs} songs reused ({time.perf_counter() - started:.1f} s)", flush=True)
    else:
        database = stack.fresh_database(DATABASE)
        library = fill(database, args.songs)
        print(f"{args.songs} songs written in {time.perf_counter() - started:.1f} s",
              flush=True)
    library.common = common_word(library, 0.05)
    try:
        with contextlib.ExitStack() as running:
            search = None if args.index_in_gateway else running.enter_context(
                search_service(database, timeout=600))
            process, base = start_gateway(workdir, database, stack.fresh_vhost(VHOST),
                                          search and search.url)
            running.callback(stack.stop, process)
            run_scenarios(base, library, args.seconds,
                          {"gateway": process, **({"search service": search.process}
                                                  if search else {})})
    finally:
        stack.drop_vhost(VHOST)
        if not args.keep:
            stack.drop_database(DATABASE)


def resident_mb(process: subprocess.Popen) -> float:
    """A process's resident memory (with any children's), in MB."""
    pids, total = [process.pid], 0
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    if children.exists():
        pids += [int(pid) for pid in children.read_text().split()]
    for pid in pids:
        with open(f"/proc/{pid}/status") as status:
            total += next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    return total / 1024


def run_scenarios(base: str, library: Library, seconds: float,
                  processes: dict[str, subprocess.Popen] | None = None) -> None:
    print(f"the word in ~5% of titles: {library.common!r}", flush=True)
    scenarios = {
        "typo search + two filters": ("/api/library", typo_query),
        "typo search, syntax, two filters": ("/api/library", syntax_query),
        "filter matching half, any sort": ("/api/library", half_query),
        "word in ~5% of titles": ("/api/library", word_query),
        "last page of a broad sort": ("/api/library", last_page_query),
        "mixed (typos, browse, duplicates)": ("/api/library", mixed_query),
        "HTML /library (mixed)": ("/library", mixed_query),
    }
    load(base, urls("/api/library", mixed_query, library, seed=1), 4, 2)  # warm up
    for connections in (4, 16):
        for number, (name, (path, make)) in enumerate(scenarios.items()):
            targets = urls(path, make, library, seed=connections * 100 + number)
            report(name, connections, load(base, targets, connections, seconds))
    for name, process in (processes or {}).items():
        print(f"{name} resident memory after the runs: {resident_mb(process):.0f} MB",
              flush=True)


if __name__ == "__main__":
    main()
