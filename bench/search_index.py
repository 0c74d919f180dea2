"""Search index bench: memory, build time and per-query cost of the in-memory index.

    python bench/search_index.py [--songs N]

Fills a `SongIndex` with generated songs (as bench/library_data.py makes them), then times
broad and selective searches with facet counts and a page: a filter matching half the
library, a word found in about 10,000 titles, typed words with typos, and the last page of a
broad sort. Each line gives wall-clock and process (CPU) time per search, the latter telling
little about the machine's load; the load average is printed with them. Typo lookups are also
timed against rapidfuzz scanning every library word, the baseline they replace.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import resource
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rapidfuzz import process  # noqa: E402
from rapidfuzz.distance import OSA  # noqa: E402

from shared.search.facets import facet_counts  # noqa: E402
from shared.search.index import FLAG_NAMES, IndexedSong, SongIndex  # noqa: E402
from shared.search.paging import page  # noqa: E402
from shared.search.protocol import Order  # noqa: E402
from shared.search.syntax import parse_search  # noqa: E402

COMMON = ("love", "night", "fire", "heart", "dream", "blood", "black", "dance", "rain")
SYLLABLES = ("ka", "ri", "mo", "ne", "ta", "vo", "lu", "shi", "ber", "gon", "dra", "fel")
GENRES = ("Rock", "Metal", "Pop", "Punk", "Electronic", "Alternative", "Indie", "Jazz")
INSTRUMENTS = {"guitar": 0.95, "bass": 0.7, "drums": 0.6, "keys": 0.25, "rhythm": 0.1}


def word(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return rng.choice(COMMON)
    return "".join(rng.choices(SYLLABLES, k=rng.randint(2, 4)))


def phrase(rng: random.Random, low: int, high: int) -> str:
    return " ".join(word(rng) for _ in range(rng.randint(low, high))).title()


def songs(count: int):
    rng = random.Random(7)
    artists = [phrase(rng, 1, 3) for _ in range(6000)]
    charters = [word(rng) for _ in range(500)]
    for number in range(count):
        instruments = [i for i, odds in INSTRUMENTS.items() if rng.random() < odds]
        yield IndexedSong(
            id=str(uuid.UUID(int=number + 1)), name=phrase(rng, 1, 4), artist=rng.choice(artists),
            album=phrase(rng, 1, 3) if rng.random() < 0.8 else None, genre=rng.choice(GENRES),
            year=str(rng.randint(1960, 2024)), charter=rng.choice(charters),
            length=rng.uniform(60, 600), year_number=rng.randint(1960, 2024),
            max_nps=rng.uniform(3, 30), avg_nps=rng.uniform(1, 10),
            modified=1.7e9 + number, added=1.6e9 + number,
            flags=frozenset(f for f in FLAG_NAMES if rng.random() < 0.3),
            parts=tuple(f"{i}:{d}" for i in instruments for d in ("expert", "hard")),
            tiers={i: rng.randint(0, 6) for i in instruments})


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def rss_mb() -> float:
    gc.collect()
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def timed(name: str, run, repeat: int = 30) -> float:
    """Prints median and p95 wall-clock and median process time; returns the median wall."""
    walls, cpus = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        run()
        cpus.append((time.process_time() - started_cpu) * 1000)
        walls.append((time.perf_counter() - started) * 1000)
    walls.sort()
    cpus.sort()
    print(f"{name:<44} median {walls[len(walls) // 2]:6.2f} ms  "
          f"p95 {walls[int(len(walls) * 0.95) - 1]:6.2f} ms  "
          f"cpu median {cpus[len(cpus) // 2]:6.2f} ms", flush=True)
    return walls[len(walls) // 2]


def search(index: SongIndex, text: str, order: Order, lookalikes=None, last_page=False):
    mask, similarity = index.matching(parse_search(text), lookalikes)
    total = int(mask.sum())
    offset = max(total - 50, 0) if last_page else 0
    return page(index, mask, order, 50, offset, similarity=similarity), facet_counts(index, mask)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, default=200_000)
    args = parser.parse_args()
    generated = list(songs(args.songs))
    before, peak_before = rss_mb(), peak_rss_mb()
    started, started_cpu = time.perf_counter(), time.process_time()
    index = SongIndex()
    for song in generated:
        index.put(song)
    index.settle(force=True)
    built, built_cpu = time.perf_counter() - started, time.process_time() - started_cpu
    held = rss_mb() - before
    del generated
    print(f"{args.songs} songs indexed in {built:.1f} s ({built_cpu:.1f} s of CPU); the index "
          f"holds {held:.0f} MB (peak RSS grew {peak_rss_mb() - peak_before:.0f} MB); "
          f"{len(index.words.words)} distinct words; load {os.getloadavg()[0]:.1f}",
          flush=True)
    print(f"'love' is in {len(index.words.slots('love'))} songs", flush=True)
    cases = {
        "half the library (has:solos), by name": ("has:solos", Order("name"), None, False),
        "two filters, by artist": ("drums:expert nps>8", Order("artist"), None, False),
        "typo word in ~10k songs + two filters": ("drums:any year:1990..2009",
                                                  Order("relevance"), [{"love": 0.8}], False),
        "word in ~10k songs, last page by year": ("", Order("year", True), [{"love": 1.0}],
                                                  True),
        "everything, last page by name": ("", Order("name"), None, True),
        "artist contains, by length": ("artist:ka -charter:mo", Order("length"), None, False),
    }
    cases["typed words with typos, by relevance"] = ("lvoe kamonr", Order("relevance"), None,
                                                     False)
    cases["typo + two filters, by relevance"] = ("drums:any year:1990..2009 hart", Order(
        "relevance"), None, False)
    for name, (text, order, lookalikes, last) in cases.items():
        timed(name, lambda t=text, o=order, k=lookalikes, la=last: search(index, t, o, k, la))
    library_words = index.words.words.tolist()
    typos = ("lvoe", "kamonr", "dreem", "shiberr")
    ours = timed("typo lookups (4 words), symmetric deletes",
                 lambda: [index.words.lookalikes(w) for w in typos])
    theirs = timed("typo lookups (4 words), rapidfuzz scan", lambda: [process.extract(
        w, library_words, scorer=OSA.distance, score_cutoff=2 if len(w) >= 6 else 1,
        limit=None) for w in typos], repeat=5)
    print(f"symmetric deletes take {ours / theirs:.3f} of a rapidfuzz scan; "
          f"load {os.getloadavg()[0]:.1f}", flush=True)


if __name__ == "__main__":
    main()
