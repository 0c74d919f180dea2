"""Version groups bench: what showing one row per song costs a library search, against the
same search showing every version, in the same run.

    python bench/search_groups.py [--songs N] [--versions F]

Fills a `SongIndex` with the songs bench/search_index.py generates, a fraction `F` of them
(0.15 by default) versions of an earlier song (groups of two to six), then times each search
with its page and facet counts both ways, interleaved: every version its own row, and one row
per song (its newest matching version, facets counting songs). Prints each way's median wall
and process (CPU) time, the ratio of the two ways' CPU times (which a busy machine disturbs
less than wall-clock), and the load average beside them.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from search_index import songs  # noqa: E402

from shared.search.facets import facet_counts  # noqa: E402
from shared.search.groups import GroupedMatches  # noqa: E402
from shared.search.index import SongIndex  # noqa: E402
from shared.search.paging import page  # noqa: E402
from shared.search.protocol import Order  # noqa: E402
from shared.search.syntax import parse_search  # noqa: E402

CASES = {
    "everything, by name": ("", Order("name")),
    "half the library (has:solos), by name": ("has:solos", Order("name")),
    "two filters, by artist": ("drums:expert nps>8", Order("artist")),
    "artist contains, by length": ("artist:ka -charter:mo", Order("length")),
    "words with typos, by relevance": ("lvoe kamonr", Order("relevance")),
}


def grouped_library(count: int, versions: float):
    """The generated songs, a fraction `versions` of them joined to an earlier song's group."""
    rng = random.Random(16)
    groups: list[str] = []
    for song in songs(count):
        if groups and rng.random() < versions:
            group = groups[max(0, len(groups) - 1 - int(rng.expovariate(1 / 2000)))]
            groups.append(group)
            yield dataclasses.replace(song, group=group)
        else:
            groups.append(song.id)
            yield song


def search(index: SongIndex, text: str, order: Order, grouped: bool) -> None:
    mask, similarity = index.matching(parse_search(text))
    matches = GroupedMatches(index, mask) if grouped else None
    rows = mask if matches is None else matches.representatives()
    page(index, rows, order, 50, similarity=similarity)
    facet_counts(index, mask, grouped=matches)


def medians(runs: dict[str, object], repeat: int) -> dict[str, tuple[float, float]]:
    """Median wall and process milliseconds of each run, the runs interleaved."""
    times: dict[str, tuple[list[float], list[float]]] = {name: ([], []) for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            started, started_cpu = time.perf_counter(), time.process_time()
            run()
            times[name][1].append((time.process_time() - started_cpu) * 1000)
            times[name][0].append((time.perf_counter() - started) * 1000)
    return {name: (sorted(walls)[repeat // 2], sorted(cpus)[repeat // 2])
            for name, (walls, cpus) in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=200_000)
    parser.add_argument("--versions", type=float, default=0.15)
    args = parser.parse_args()
    index = SongIndex()
    for song in grouped_library(args.songs, args.versions):
        index.put(song)
    index.settle(force=True)
    print(f"{len(index)} songs in {index.group_count} version groups; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)
    for name, (text, order) in CASES.items():
        found = medians({way: (lambda t=text, o=order, g=grouped: search(index, t, o, g))
                         for way, grouped in (("every", False), ("one", True))}, repeat=15)
        (every_wall, every_cpu), (one_wall, one_cpu) = found["every"], found["one"]
        print(f"{name:<40} every version {every_wall:6.2f} ms (cpu {every_cpu:6.2f}); one row "
              f"per song {one_wall:6.2f} ms (cpu {one_cpu:6.2f}): {one_cpu / every_cpu:.2f} times "
              f"the CPU; load {os.getloadavg()[0]:.1f}", flush=True)

if __name__ == "__main__":
    main()
