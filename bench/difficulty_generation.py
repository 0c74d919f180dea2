"""Difficulty generation bench: lower difficulties generated from Expert against charted ones.

    python bench/difficulty_generation.py [--verbose]

Over the corpus parts charted on all four difficulties, Hard, Medium and Easy are generated from
Expert and compared with the charted difficulty:
- note F-measure: a generated note matches a charted one with its onset within 1/32 beat and
  the same lane class (guitar-like: open, single note or chord, counted per chord; drums: kick,
  snare or other pad, counted per hit). An exact-lane F-measure (same frets, same pads) is
  reported next to it, with no target;
- notes per second: generated over charted note count (the same song, so the same span), and
  the share of parts within ±15 %;
- issues: every corpus chart with an Expert-only part gets its generated difficulties written
  into the file and scanned; an issue counts when the generated track has a code its Expert
  track has not (a chart with no star power has none on Hard either, by design).
Targets: median F ≥ 0.6 Hard, 0.5 Medium, 0.4 Easy; no issue. The parts are split in two
halves by a hash of their folder and instrument: the rules were tuned on the first half only,
and both are reported.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
from bisect import bisect_left
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from shared.songs import events as ev  # noqa: E402
from shared.songs import folder as song_folder  # noqa: E402
from shared.songs.ini import DEFAULT_METADATA, parse_ini, read_metadata  # noqa: E402
from shared.songs.reduction import generate_lower_difficulties  # noqa: E402
from shared.songs.reduction.generate import parse_chart_file, reduce_track  # noqa: E402
from shared.songs.scan import scan_song  # noqa: E402

CHARTS = REPO.parent / "shared" / "corpus" / "charts"
EXPECTED = REPO.parent / "shared" / "corpus" / "expected" / "scan-chart-8.0.1.jsonl"
TARGETS = {"hard": 0.6, "medium": 0.5, "easy": 0.4}
NPS_TOLERANCE = 0.15
SUBSTANTIAL = 50  # Expert note groups: fewer is a test chart or a one-chord placeholder part


def corpus_charts():
    """(folder name, files, chart file name, format, ini values) of every readable corpus chart."""
    for line in EXPECTED.read_text().splitlines():
        record = json.loads(line)
        path = CHARTS / record["folder"]
        files = {name: (path / name).read_bytes() for name in record["files"]}
        names = song_folder.ordered_names(files)
        chart = song_folder.pick_chart(names).name
        if chart is None:
            continue
        modifiers = DEFAULT_METADATA
        ini_name = song_folder.pick_ini(names).name
        if ini_name and (ini := parse_ini(files[ini_name])).song is not None:
            modifiers = read_metadata(ini.song).values
        yield record["folder"], files, chart, song_folder.extension(chart).lower(), modifiers


def half_of(folder: str, instrument: str) -> int:
    """0 (tuning half) or 1 (held-out half), from a hash of the part's name."""
    return hashlib.sha1(f"{folder}|{instrument}".encode()).digest()[0] % 2


def lane_class(instrument: str, notes: list) -> list[tuple[int, str]]:
    """(tick, class) of each scored unit: a chord for guitar-like parts, a hit for drums."""
    if instrument == "drums":
        names = {ev.N_KICK: "kick", ev.N_RED_DRUM: "snare"}
        return [(n[0], names.get(n[2], "pad")) for n in notes]
    chords: dict[int, set[int]] = {}
    for note in notes:
        chords.setdefault(note[0], set()).add(note[2])
    return [(tick, "open" if ev.N_OPEN in lanes else "chord" if len(lanes) > 1 else "single")
            for tick, lanes in chords.items()]


def exact_lanes(notes: list) -> list[tuple[int, int]]:
    return [(n[0], n[2]) for n in notes]


def f_measure(generated: list[tuple[int, object]], charted: list[tuple[int, object]],
              tolerance: float) -> float:
    """One-to-one matches within `tolerance` ticks and the same class, as an F-measure."""
    if not generated and not charted:
        return 1.0
    matched = 0
    by_class: dict[object, list[int]] = {}
    for tick, kind in charted:
        by_class.setdefault(kind, []).append(tick)
    free = {kind: sorted(ticks) for kind, ticks in by_class.items()}
    for tick, kind in sorted(generated, key=lambda item: item[0]):
        ticks = free.get(kind, [])
        at = bisect_left(ticks, tick - tolerance)
        if at < len(ticks) and ticks[at] <= tick + tolerance:
            ticks.pop(at)
            matched += 1
    precision = matched / len(generated) if generated else 0
    recall = matched / len(charted) if charted else 0
    return 2 * precision * recall / (precision + recall) if matched else 0.0


def note_count(instrument: str, notes: list) -> int:
    """Notes as scan-chart counts them: chords once, drum hits each."""
    return len(notes) if instrument == "drums" else len({n[0] for n in notes})


def compare_full_parts() -> list[dict]:
    """One row per (part charted on every difficulty, generated difficulty)."""
    rows = []
    for name, files, chart_name, fmt, modifiers in corpus_charts():
        try:
            chart = parse_chart_file(files[chart_name], fmt, modifiers)
        except Exception:  # an unreadable chart has no part to compare
            continue
        tracks: dict[str, dict] = {}
        for track in chart.tracks:
            if track.groups:
                tracks.setdefault(track.instrument, {}).setdefault(track.difficulty, track)
        for instrument, by_difficulty in tracks.items():
            if len(by_difficulty) != 4:
                continue
            for difficulty in ("hard", "medium", "easy"):
                part = reduce_track(by_difficulty["expert"], chart, difficulty, fmt, modifiers)
                generated = [[n.tick, n.length, n.lane, n.flags] for n in part.notes]
                charted = [n for group in by_difficulty[difficulty].groups for n in group]
                tolerance = chart.resolution / 32
                rows.append({
                    "part": f"{name} [{instrument}]", "half": half_of(name, instrument),
                    "difficulty": difficulty, "format": fmt,
                    "f": f_measure(lane_class(instrument, generated),
                                   lane_class(instrument, charted), tolerance),
                    "f_exact": f_measure(exact_lanes(generated), exact_lanes(charted), tolerance),
                    "nps_ratio": (note_count(instrument, generated)
                                  / max(1, note_count(instrument, charted))),
                    "big": len(by_difficulty["expert"].groups) >= SUBSTANTIAL,
                })
    return rows


def issues_on_expert_only_parts() -> tuple[int, int, Counter]:
    """(charts generated, parts generated, new issue codes) over the Expert-only parts."""
    charts = parts = 0
    codes: Counter = Counter()
    for name, files, chart_name, fmt, modifiers in corpus_charts():
        try:
            generated = generate_lower_difficulties(files[chart_name], fmt, modifiers)
        except Exception as error:  # reported, not fatal to the bench
            codes[f"not generated: {type(error).__name__}"] += 1
            continue
        if not generated.parts:
            continue
        charts += 1
        parts += len(generated.instruments)
        scan = scan_song({**files, chart_name: generated.data})
        if scan.notes_data is None:
            codes["unreadable"] += 1
            continue
        made = {(p.instrument, p.difficulty) for p in generated.parts}
        issues = scan.notes_data.chart_issues
        expert = {(i.code, i.instrument) for i in issues if i.difficulty == "expert"}
        for issue in issues:
            if ((issue.instrument, issue.difficulty) in made
                    and (issue.code, issue.instrument) not in expert):
                codes[f"{issue.code} ({issue.difficulty})"] += 1
                print(f"  issue: {name} {issue.instrument} {issue.difficulty} {issue.code}")
    return charts, parts, codes


def report(rows: list[dict], verbose: bool) -> None:
    parts = {row["part"] for row in rows}
    print(f"parts charted on all four difficulties: {len(parts)}")
    for half in (0, 1):
        label = "tuning half" if half == 0 else "held-out half"
        subset = [row for row in rows if row["half"] == half]
        print(f"{label}: {len({row['part'] for row in subset})} parts")
        for difficulty in ("hard", "medium", "easy"):
            chosen = [row for row in subset if row["difficulty"] == difficulty]
            f = statistics.median(row["f"] for row in chosen)
            exact = statistics.median(row["f_exact"] for row in chosen)
            ratio = statistics.median(row["nps_ratio"] for row in chosen)
            within = sum(abs(row["nps_ratio"] - 1) <= NPS_TOLERANCE for row in chosen)
            verdict = "meets" if f >= TARGETS[difficulty] else "below"
            big = [row["f"] for row in chosen if row["big"]]
            print(f"  {difficulty:6s} median F {f:.3f} ({verdict} {TARGETS[difficulty]}), "
                  f"exact-lane F {exact:.3f}, NPS ratio median {ratio:.2f}, "
                  f"within ±15 %: {within}/{len(chosen)}; "
                  f"parts of ≥ {SUBSTANTIAL} Expert notes: median F "
                  f"{statistics.median(big):.3f} ({len(big)})")
    if verbose:
        for row in sorted(rows, key=lambda r: (r["difficulty"], r["f"])):
            print(f"    {row['difficulty']:6s} F {row['f']:.2f} exact {row['f_exact']:.2f} "
                  f"nps {row['nps_ratio']:.2f} {row['part']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="every part's figures")
    args = parser.parse_args()
    report(compare_full_parts(), args.verbose)
    charts, parts, codes = issues_on_expert_only_parts()
    print(f"Expert-only parts generated: {parts} in {charts} charts; "
          f"issues on generated tracks: {sum(codes.values())} {dict(codes)}")


if __name__ == "__main__":
    main()
