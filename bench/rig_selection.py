"""Rig selection bench: how long a rig's selection takes to recompute as the library grows.

    python bench/rig_selection.py [--songs 1000 5000 20000]

For each size: a fresh database `chhub_bench_rigs` filled with generated songs, a content folder
with a small folder per song, then a rig that takes a search matching about half the library
and a rig that takes every song by id. Prints the first recompute (every folder linked) and a
recompute with nothing changed, the one that follows every burst of published songs (target:
at most 2 s at 20,000 songs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from library_data import Library  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from services.sync.rig_mirror import RigMirror  # noqa: E402
from services.sync.rig_selections import CatalogRigSelections, Selection  # noqa: E402
from shared.persistence.db import make_engine, make_sessions  # noqa: E402
from tests.support import stack  # noqa: E402

DATABASE = "chhub_bench_rigs"


def fill(url: str, songs: int, content: Path) -> list[str]:
    engine = create_engine(url)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            Library().write(cursor, songs)
        raw.commit()
    finally:
        raw.close()
    with engine.connect() as connection:
        paths = connection.execute(text("SELECT id::text, file_path FROM songs")).all()
    engine.dispose()
    for _, path in paths:
        folder = content / path
        folder.mkdir(parents=True)
        for name in ("notes.chart", "song.ini", "song.ogg"):
            (folder / name).write_bytes(b"x")
    return [song_id for song_id, _ in paths]


def timed(function) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def measure(songs: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="chhub-bench-rigs-"))
    url = stack.fresh_database(DATABASE)
    try:
        ids = fill(url, songs, work)
        catalog = CatalogRigSelections(make_sessions(make_engine(url)))
        rigs = {
            "search (bass, about 70 %)": Selection("SEARCH-RIG", "search",
                                                     {"instrument": "bass"}, ()),
            "every song by id": Selection("SONGS-RIG", "songs", {}, tuple(map(str, ids))),
        }
        for name, selection in rigs.items():
            mirror = RigMirror(work, selection.device_id)

            def recompute(selection=selection, mirror=mirror) -> int:
                return len(mirror.apply(catalog.wanted_folders(selection)))

            first = timed(recompute)
            again = timed(recompute)
            held = len(mirror.linked())
            print(f"{songs:>6} songs, {name:<28} {held:>6} songs held: first {first:6.2f} s, "
                  f"again {again:6.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)
        stack.drop_database(DATABASE)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--songs", type=int, nargs="+", default=[1000, 5000, 20000])
    args = parser.parse_args()
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for songs in args.songs:
        measure(songs)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
