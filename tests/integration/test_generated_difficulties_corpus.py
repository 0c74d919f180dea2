"""Every corpus part charted on Expert only gets Hard, Medium and Easy that our own scanner reads
with no issue its Expert track does not already have, with Expert unchanged; taking them out
again gives back the chart as it was."""

from __future__ import annotations

import json
from pathlib import Path

from shared.songs import folder as song_folder
from shared.songs.ini import DEFAULT_METADATA, parse_ini, read_metadata
from shared.songs.reduction import generate_lower_difficulties
from shared.songs.reduction.removal import remove_generated
from shared.songs.scan import scan_song

EXPERT_ONLY_PARTS = 124  # corpus parts charted on Expert and on no other difficulty


def corpus_charts(charts: Path):
    expected = charts.parent / "expected" / "scan-chart-8.0.1.jsonl"
    for line in expected.read_text().splitlines():
        record = json.loads(line)
        files = {name: (charts / record["folder"] / name).read_bytes()
                 for name in record["files"]}
        names = song_folder.ordered_names(files)
        chart = song_folder.pick_chart(names).name
        if chart is None:
            continue
        modifiers = DEFAULT_METADATA
        ini_name = song_folder.pick_ini(names).name
        if ini_name and (ini := parse_ini(files[ini_name])).song is not None:
            modifiers = read_metadata(ini.song).values
        yield record["folder"], files, chart, modifiers


def _charted(scan) -> dict:
    return {(t.instrument, t.difficulty): t.hash for t in scan.notes_data.tracks if t.note_count}


def test_generated_difficulties_of_the_corpus_have_no_issue_and_leave_expert_alone(corpus):
    generated_parts, problems = 0, []
    for name, files, chart, modifiers in corpus_charts(corpus):
        before = scan_song(files)
        if before.notes_data is None:
            continue
        fmt = song_folder.extension(chart).lower()
        result = generate_lower_difficulties(files[chart], fmt, modifiers)
        if not result.parts:
            assert result.data == files[chart]
            continue
        generated_parts += len(result.instruments)
        after = scan_song({**files, chart: result.data})
        made = {(p.instrument, p.difficulty) for p in result.parts}
        tracks = {(t.instrument, t.difficulty): t for t in after.notes_data.tracks}
        assert made <= set(tracks), name
        for track in before.notes_data.tracks:
            if track.difficulty == "expert":
                assert tracks[(track.instrument, "expert")] == track, name
        removed = scan_song({**files, chart: remove_generated(result.data, fmt,
                                                              result.instruments)})
        assert _charted(removed) == _charted(before), name
        issues = after.notes_data.chart_issues
        expert_codes = {(i.code, i.instrument) for i in issues if i.difficulty == "expert"}
        problems += [(name, i.instrument, i.difficulty, i.code) for i in issues
                     if (i.instrument, i.difficulty) in made
                     and (i.code, i.instrument) not in expert_codes]
    assert generated_parts == EXPERT_ONLY_PARTS
    assert problems == []
