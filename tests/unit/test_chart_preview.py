"""The chart preview: a chart drawn as a highway in SVG, by the server and without script."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import pytest

from services.gateway.rendering import highway as hw
from services.gateway.rendering import highway_svg as drawing
from services.gateway.rendering.chart_preview import preview
from shared.songs.scan import read_chart

SVG = "{http://www.w3.org/2000/svg}"
# 192 ticks a beat at 120 BPM: a beat is half a second, a 4/4 measure two seconds.
KNOWN = """[Song]
{
  Resolution = 192
}
[SyncTrack]
{
  0 = TS 4
  0 = B 120000
}
[Events]
{
  0 = E "section Intro"
  768 = E "section Verse <script>alert(1)</script>\\" onload=\\"x"
}
[ExpertSingle]
{
  0 = N 0 0
  0 = S 2 384
  192 = N 1 0
  384 = N 2 192
  576 = N 7 0
  768 = N 3 0
  768 = N 4 0
  960 = N 0 0
  960 = N 6 0
  7680 = N 4 0
}
[HardSingle]
{
  0 = N 0 0
}
[ExpertDrums]
{
  0 = N 0 0
  192 = N 1 0
  384 = N 2 0
  384 = N 66 0
}
[ExpertGHLGuitar]
{
  0 = N 0 0
}
"""


@pytest.fixture(scope="module")
def chart():
    return read_chart({"notes.chart": KNOWN.encode()})


@pytest.fixture(scope="module")
def guitar(chart):
    return hw.highway(chart, "guitar", "expert", 0.0)


def drawn(svg: str) -> ElementTree.Element:
    return ElementTree.fromstring(svg)  # well-formed XML, or this raises


def gems_of(svg: str) -> list[ElementTree.Element]:
    return [e for e in drawn(svg).iter() if "gem" in (e.get("class") or "").split()]


def test_notes_become_gems_in_their_lanes_at_their_times(guitar):
    assert [(g.seconds, g.lane, g.look) for g in guitar.gems] == [
        (0.0, 0, "strum"), (0.5, 1, "strum"), (1.0, 2, "strum"), (1.5, None, "strum"),
        (2.0, 3, "strum"), (2.0, 4, "strum"), (2.5, 0, "tap"), (20.0, 4, "strum")]
    assert guitar.gems[2].sustain == pytest.approx(0.5)
    assert guitar.lanes == hw.FIVE_FRET and guitar.across == hw.OPEN_COLOUR


def test_gems_are_drawn_in_their_lane_colour_time_running_up_the_column(guitar):
    svg = drawing.draw(guitar)
    rects = [e for e in gems_of(svg) if e.tag == f"{SVG}rect"]
    red = next(r for r in rects if r.get("fill") == "#ff4d5e")
    x_centre = float(red.get("x")) + float(red.get("width")) / 2
    y_centre = float(red.get("y")) + float(red.get("height")) / 2
    assert (x_centre, y_centre) == drawing.gem_position(guitar, guitar.gems[1])
    assert x_centre == drawing.GUTTER + 1.5 * drawing.LANE                  # second lane
    assert y_centre == drawing.TOP + (hw.COLUMN_SECONDS - 0.5) * drawing.PX_PER_SECOND  # 0.5 s up
    green = next(r for r in rects if r.get("fill") == "#2ecc71")
    assert float(green.get("y")) > float(red.get("y"))            # earlier: lower down


def test_a_note_after_the_first_column_goes_to_its_own_column(guitar):
    x, y = drawing.gem_position(guitar, guitar.gems[-1])   # 20 s: the sixth column, at its foot
    column_width = drawing.GUTTER + 5 * drawing.LANE
    assert x == 5 * column_width + drawing.GUTTER + 4.5 * drawing.LANE
    assert y == drawing.TOP + hw.COLUMN_SECONDS * drawing.PX_PER_SECOND


def test_sustains_are_tails_above_their_gem_and_open_notes_bars_across(guitar):
    svg = drawn(drawing.draw(guitar))
    [tail] = [e for e in svg.iter(f"{SVG}rect") if e.get("class") == "sustain"]
    assert tail.get("fill") == "#ffd23f"
    assert float(tail.get("height")) == pytest.approx(0.5 * drawing.PX_PER_SECOND)
    assert float(tail.get("y")) + float(tail.get("height")) == pytest.approx(
        drawing.gem_position(guitar, guitar.gems[2])[1])
    [open_bar] = [e for e in gems_of(drawing.draw(guitar)) if e.get("fill") == hw.OPEN_COLOUR]
    assert float(open_bar.get("width")) == 5 * drawing.LANE - 4


def test_tap_notes_are_hollow(guitar):
    [tap] = [e for e in gems_of(drawing.draw(guitar)) if "tap" in e.get("class")]
    assert tap.get("fill") == drawing.INK and tap.get("stroke") == "#2ecc71"


def test_beats_and_measures_come_from_the_tempo_map(chart):
    lines = hw.gridlines(chart, 0.0, 4.0)
    assert [line.seconds for line in lines] == [0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5]
    assert [line.measure for line in lines] == [1, None, None, None, 2, None, None, None]


def test_time_signature_and_tempo_changes_move_the_lines():
    text = KNOWN.replace("  0 = B 120000\n", "  0 = B 120000\n  768 = TS 3\n  1920 = B 60000\n")
    chart = read_chart({"notes.chart": text.encode()})
    measures = [(line.seconds, line.measure) for line in hw.gridlines(chart, 0.0, 9.0)
                if line.measure]
    # 4/4 for one measure, then 3/4 (1.5 s measures) until 60 BPM at 5 s (3 s measures)
    assert measures == [(0.0, 1), (2.0, 2), (3.5, 3), (5.0, 4), (8.0, 5)]


def test_section_names_are_drawn_and_escaped(guitar):
    svg = drawing.draw(guitar)
    texts = ["".join(e.itertext()) for e in drawn(svg).iter(f"{SVG}text")]
    assert any(t.startswith("Intro") for t in texts)
    assert any(t.startswith("Verse <script>") for t in texts)   # shown as text, not markup
    assert "<script" not in svg.lower()
    assert inert(svg)


def inert(svg: str) -> bool:
    """No script, no event handler, no style (the CSP forbids it) and no link or foreign
    content anywhere in the drawing."""
    elements = list(drawn(svg).iter())
    tags = {e.tag.removeprefix(SVG) for e in elements}
    attributes = {name.lower() for e in elements for name in e.attrib}
    return (not tags & {"script", "foreignObject", "a", "image", "use", "style"}
            and not any(re.match(r"(\{.*\})?(on|style|href)", a) for a in attributes))


def test_star_power_is_a_band_over_its_phrase(guitar):
    assert guitar.star_power == ((0.0, 1.0),)
    svg = drawn(drawing.draw(guitar))
    [band] = [e for e in svg.iter(f"{SVG}rect") if e.get("fill") == drawing.STAR_POWER_COLOUR]
    assert float(band.get("height")) == pytest.approx(1.0 * drawing.PX_PER_SECOND)


def test_drums_have_four_lanes_kicks_across_and_cymbals_shaped_apart(chart):
    drums = hw.highway(chart, "drums", "expert", 0.0)
    assert [(g.lane, g.look) for g in drums.gems] == [(None, "kick"), (0, "tom"), (1, "cymbal")]
    svg = drawing.draw(drums)
    assert len(drawn(svg).findall(f".//{SVG}polygon")) == 1
    assert drums.lanes == hw.DRUM_LANES


def test_a_later_window_keeps_a_sustain_ringing_into_it_but_not_its_gem(chart):
    way = hw.highway(chart, "guitar", "expert", 1.25, seconds=4.0)
    assert [g.seconds for g in way.gems][:1] == [1.0]   # the sustain from 1.0 s to 1.5 s
    svg = drawing.draw(way)
    assert sum(1 for e in gems_of(svg) if e.get("fill") == "#ffd23f") == 0
    assert any(e.get("class") == "sustain" for e in drawn(svg).iter(f"{SVG}rect"))


def test_only_five_fret_parts_and_drums_are_offered_hardest_first(chart):
    assert hw.parts(chart) == {"guitar": ["expert", "hard"], "drums": ["expert"]}
    assert hw.highway(chart, "guitar", "easy", 0.0) is None


def test_the_preview_links_keep_what_they_do_not_change(chart):
    view = preview({"notes.chart": KNOWN.encode()}, "/songs/x/chart-preview", "drums", "expert")
    assert view.label == "Expert drums"
    assert [(p.name, p.current) for p in view.instruments] == [
        ("guitar", False), ("drums", True)]
    assert view.instruments[0].url == (
        "/songs/x/chart-preview?instrument=guitar&difficulty=expert&at=0")
    assert [d.name for d in view.difficulties] == ["expert"]
    assert view.earlier is None and view.later is None
    guitar = preview({"notes.chart": KNOWN.encode()}, "/p", "guitar", "hard", at=0.0)
    assert [d.url for d in guitar.difficulties] == [
        "/p?instrument=guitar&difficulty=expert&at=0", "/p?instrument=guitar&difficulty=hard&at=0"]


def test_the_preview_pages_through_a_long_part():
    long_chart = KNOWN.replace("  7680 = N 4 0\n", "  7680 = N 4 0\n  30720 = N 1 0\n")
    view = preview({"notes.chart": long_chart.encode()}, "/p", at=32.0)
    assert view.earlier == "/p?instrument=guitar&difficulty=expert&at=0"
    assert view.later == "/p?instrument=guitar&difficulty=expert&at=64"
    assert view.span == "0:32 to 1:04"


def test_a_missing_or_broken_chart_shows_a_reason_not_an_error():
    assert "nothing to draw" in preview({"notes.mid": b"not a midi file"}, "/p").error
    assert "no guitar" in preview({"song.ini": b"[song]\n"}, "/p").error


def test_every_corpus_chart_draws_as_well_formed_svg(corpus):
    drawn_parts = 0
    for chart_file in sorted([*corpus.rglob("notes.chart"), *corpus.rglob("notes.mid")]):
        files = {p.name: p.read_bytes() for p in chart_file.parent.iterdir()
                 if p.suffix.lower() in (".chart", ".mid", ".ini")}
        view = preview(files, "/p")
        if view.error:
            continue
        svg = str(view.svg)
        drawn(svg)
        assert inert(svg)
        drawn_parts += 1
    assert drawn_parts > 100
