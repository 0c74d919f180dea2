"""Any bytes give a result or a SongFormatError, never another exception; the corpus parses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shared.songs.chart import parse_chart
from shared.songs.errors import SongFormatError
from shared.songs.ini import DEFAULT_METADATA, parse_ini, read_metadata
from shared.songs.midi import parse_midi
from shared.songs.notes import analyse_chart
from shared.songs.scan import scan_song
from tests.support.corpus import CHARTS as CORPUS

pytestmark = pytest.mark.unit

CHART_FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".chart", ".mid")) \
    if CORPUS.is_dir() else []
SMALL_CHARTS = [p for p in CHART_FILES if p.stat().st_size < 40_000][:40]
SETTINGS = settings(max_examples=int(os.environ.get("ROBUSTNESS_EXAMPLES", "150")), deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def analyse_or_format_error(data: bytes, fmt: str) -> None:
    """Analyse chart bytes; SongFormatError is the only acceptable failure."""
    try:
        notes, _ = analyse_chart(data, fmt, DEFAULT_METADATA)
    except SongFormatError:
        return
    notes.as_dict()


@SETTINGS
@given(st.binary(max_size=2000))
def test_random_bytes_as_chart_midi_or_ini_never_raise_anything_else(data):
    analyse_or_format_error(data, "chart")
    analyse_or_format_error(data, "mid")
    ini = parse_ini(data)
    if ini.song is not None:
        read_metadata(ini.song)


@SETTINGS
@given(st.binary(max_size=300))
def test_random_bytes_with_a_midi_header_never_raise_anything_else(body):
    header = b"MThd\x00\x00\x00\x06\x00\x01\x00\x02\x01\xe0MTrk" + len(body).to_bytes(4, "big")
    analyse_or_format_error(header + body, "mid")


chart_lines = st.lists(st.one_of(
    st.builds(lambda t, n, s: f"{t} = N {n} {s}", st.integers(0, 2**70), st.integers(0, 300),
              st.integers(0, 2**70)),
    st.builds(lambda t, v: f"{t} = B {v}", st.integers(0, 2**40), st.integers(0, 2**40)),
    st.builds(lambda t, n, d: f"{t} = TS {n} {d}", st.integers(0, 2**33), st.integers(0, 2**33),
              st.integers(0, 2000)),
    st.builds(lambda t, v: f"{t} = S {v} 192", st.integers(0, 10**6),
              st.sampled_from([2, 64, 65, 66])),
    st.builds(lambda t, text: f'{t} = E "{text}"', st.integers(0, 10**6), st.text(max_size=20)),
    st.text(max_size=30),
), max_size=40)


@SETTINGS
@given(chart_lines, st.integers(-5, 2**40), st.sampled_from(
    ["ExpertSingle", "HardDrums", "ExpertGHLGuitar", "EasyKeyboard", "ExpertDrums"]))
def test_generated_chart_text_never_raises_anything_else(lines, resolution, track):
    text = (f"[Song]\n{{\nResolution = {resolution}\n}}\n[SyncTrack]\n{{\n" + "\n".join(lines)
            + "\n}\n[Events]\n{\n" + "\n".join(lines) + f"\n}}\n[{track}]\n{{\n"
            + "\n".join(lines) + "\n}\n")
    analyse_or_format_error(text.encode(), "chart")


@SETTINGS
@given(st.sampled_from(SMALL_CHARTS or [Path(".")]), st.data())
def test_mutated_real_charts_never_raise_anything_else(path, data):
    original = bytearray(path.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, max(0, len(original) - 1)))
        action = data.draw(st.sampled_from(["flip", "cut", "insert"]))
        if action == "flip" and original:
            original[at] = data.draw(st.integers(0, 255))
        elif action == "cut":
            del original[at : at + data.draw(st.integers(1, 64))]
        else:
            original[at:at] = data.draw(st.binary(min_size=1, max_size=16))
    analyse_or_format_error(bytes(original), path.suffix[1:])


@SETTINGS
@given(st.dictionaries(st.sampled_from(["song.ini", "notes.chart", "notes.mid", "album.png",
                                        "album.jpg", "song.ogg", "video.mp4", "x.ini", "a.mid"]),
                       st.binary(max_size=200), max_size=6))
def test_scan_song_never_raises_on_any_folder(files):
    scan_song(files).as_dict()


@pytest.mark.parametrize("path", CHART_FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_no_corpus_chart_raises_a_format_error(path):
    fmt = "mid" if path.suffix == ".mid" else "chart"
    data = path.read_bytes()
    raw = parse_midi(data, DEFAULT_METADATA) if fmt == "mid" else parse_chart(data)
    assert raw.resolution > 0
    notes, _ = analyse_chart(data, fmt, DEFAULT_METADATA)
    assert notes.as_dict()["tempoMarkerCount"] >= 1
