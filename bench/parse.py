"""Parse-speed bench: our scanner over the whole corpus, the reference beside it, and scaling.

    python bench/parse.py [--no-reference] [--rounds N]

Prints folders per second for `scan_song` over every corpus folder (files read beforehand, one
process), the same for scan-chart 8.0.1 when node and npm are available (a copy of
shared/tools/scan-chart-peer-8 is npm-installed in a temp dir), run in turns with ours; their ratio
(best against best, and the median of each round's ratio, which is steadier on a loaded
machine), and how parse time grows with the size of a synthetic .chart (it should grow linearly).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shared.songs import scan_song  # noqa: E402
from shared.songs.chart import parse_chart  # noqa: E402
from shared.songs.ini import DEFAULT_METADATA  # noqa: E402
from shared.songs.notes import analyse_chart  # noqa: E402

SHARED = REPO.parent / "shared"
CHARTS = SHARED / "corpus" / "charts"
EXPECTED = SHARED / "corpus" / "expected" / "scan-chart-8.0.1.jsonl"
PEER = SHARED / "tools" / "scan-chart-peer-8"


def corpus_folders() -> list[dict[str, bytes]]:
    """Every expected folder's own files, read into memory."""
    folders = []
    for line in EXPECTED.read_text().splitlines():
        record = json.loads(line)
        folder = CHARTS / record["folder"]
        folders.append({name: (folder / name).read_bytes() for name in record["files"]})
    return folders


def bench_ours(folders: list[dict[str, bytes]], rounds: int) -> float:
    """Best-of-`rounds` seconds to scan every folder."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for files in folders:
            scan_song(files)
        best = min(best, time.perf_counter() - start)
    return best


def reference_dir() -> Path | None:
    """An npm-installed copy of the reference harness, or None without node/npm."""
    if not (shutil.which("node") and shutil.which("npm") and PEER.is_dir()):
        return None
    target = Path(tempfile.gettempdir()) / "chhub-scan-chart-peer-8"
    if not (target / "node_modules" / "scan-chart").is_dir():
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(PEER, target)
        for path in [target, *target.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=target, check=True,
                       capture_output=True)
    return target


def bench_reference_once(target: Path) -> float:
    """The scan time the reference reports for the corpus (its own timer, one node process)."""
    run = subprocess.run(["node", "scan.mjs", "--all", str(CHARTS), "--out", "/dev/null"],
                         cwd=target, check=True, capture_output=True, text=True)
    return json.loads(run.stderr.strip().splitlines()[-1])["scan_only_s"]


def bench_both(folders: list[dict[str, bytes]], rounds: int, reference: bool):
    """Per-round times, ours and the reference's, taken in turns so load hits both alike."""
    target = reference_dir() if reference else None
    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(bench_ours(folders, 1))
        if target is not None:
            theirs.append(bench_reference_once(target))
    return ours, theirs or None


def synthetic_chart(notes: int) -> bytes:
    """A valid .chart with `notes` guitar notes, star power and sections."""
    lines = ["[Song]", "{", "  Resolution = 192", "}", "[SyncTrack]", "{", "  0 = TS 4",
             "  0 = B 120000", "}", "[Events]", "{"]
    lines += [f'  {i * 192 * 16} = E "section s{i}"' for i in range(notes // 64 + 1)]
    lines += ["}", "[ExpertSingle]", "{"]
    for i in range(notes):
        tick = i * 96
        if i % 32 == 0:
            lines.append(f"  {tick} = S 2 768")
        lines.append(f"  {tick} = N {i % 5} {48 if i % 3 == 0 else 0}")
        if i % 7 == 0:
            lines.append(f"  {tick} = N 5 0")
    lines.append("}")
    return ("\n".join(lines) + "\n").encode()


def bench_scaling(sizes=(2_000, 4_000, 8_000, 16_000, 32_000)) -> list[tuple[int, float]]:
    """(notes, seconds) to parse and analyse synthetic charts of growing size."""
    results = []
    for size in sizes:
        data = synthetic_chart(size)
        parse_chart(data)  # warm up
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            analyse_chart(data, "chart", DEFAULT_METADATA)
            best = min(best, time.perf_counter() - start)
        results.append((size, best))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--no-reference", action="store_true")
    args = parser.parse_args()
    folders = corpus_folders()
    ours_runs, reference_runs = bench_both(folders, args.rounds, not args.no_reference)
    count, ours = len(folders), min(ours_runs)
    print(f"ours:      {count} folders in {ours:.3f} s = {count / ours:.1f} folders/s (best)")
    if reference_runs is not None:
        reference = min(reference_runs)
        ratios = sorted(r / o for o, r in zip(ours_runs, reference_runs, strict=True))
        print(f"reference: {count} folders in {reference:.3f} s = "
              f"{count / reference:.1f} folders/s (scan-chart 8.0.1, its scan time, best)")
        print(f"ratio:     ours is {reference / ours:.2f}x the reference's speed (best vs best), "
              f"median of rounds {statistics.median(ratios):.2f}x "
              f"(rounds: {', '.join(f'{r:.2f}' for r in ratios)}; target >= 2x)")
    else:
        print("reference: skipped (no node/npm or --no-reference)")
    print("scaling (synthetic .chart):")
    base = None
    for notes, seconds in bench_scaling():
        per_note = seconds / notes * 1e6
        base = base or per_note
        print(f"  {notes:>6} notes: {seconds * 1000:8.1f} ms  {per_note:5.2f} us/note  "
              f"({per_note / base:.2f}x the smallest's per-note cost)")


if __name__ == "__main__":
    main()
