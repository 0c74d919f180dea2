"""Generated difficulties marked in song.ini and taken out again: the opt-in is reversible."""

from __future__ import annotations

import pytest

from shared.songs.reduction.generate import parse_chart_file
from shared.songs.reduction.song_files import (
    GENERATED_KEY,
    generated_instruments,
    with_generated_difficulties,
    without_generated_difficulties,
)
from shared.songs.scan import scan_song
from tests.unit.test_difficulty_generation_files import INI, MODIFIERS, chart_chart, midi_chart


def charted(data: bytes, fmt: str) -> dict:
    chart = parse_chart_file(data, fmt, MODIFIERS)
    return {(t.instrument, t.difficulty): t.groups for t in chart.tracks if t.groups}


@pytest.mark.parametrize("name, data", [("notes.chart", chart_chart()),
                                        ("notes.mid", midi_chart())])
def test_generation_is_marked_in_song_ini_and_undone_by_the_reversal(name, data):
    fmt = name.rsplit(".", 1)[1]
    files = {name: data, "song.ini": INI}
    generated = with_generated_difficulties(files)
    assert generated_instruments(generated) == ["guitar", "drums"]
    assert scan_song(generated).extra_metadata[GENERATED_KEY] == "guitar,drums"
    assert len(charted(generated[name], fmt)) == 8
    restored = without_generated_difficulties(generated)
    assert charted(restored[name], fmt) == charted(data, fmt)
    assert GENERATED_KEY not in scan_song(restored).extra_metadata
    assert scan_song(restored).metadata == scan_song(files).metadata
    if fmt == "chart":
        assert restored[name] == data


def test_a_song_with_every_difficulty_charted_or_never_generated_is_left_alone():
    files = {"notes.chart": chart_chart(), "song.ini": INI}
    generated = with_generated_difficulties(files)
    assert with_generated_difficulties(generated) is None  # nothing Expert-only is left
    assert without_generated_difficulties(files) is None


def test_a_song_without_song_ini_is_generated_but_gets_no_ini():
    generated = with_generated_difficulties({"notes.chart": chart_chart()})
    assert set(generated) == {"notes.chart"}
    assert len(charted(generated["notes.chart"], "chart")) == 8
