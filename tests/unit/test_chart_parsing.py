"""`.chart` reading: sections, tempo map, every track kind, modifiers, phrases and errors."""

from __future__ import annotations

import pytest

from shared.songs import events as ev
from shared.songs.chart import parse_chart
from shared.songs.errors import ChartParseError, SongFormatError
from shared.songs.ini import DEFAULT_METADATA
from shared.songs.notes import analyse_chart
from shared.songs.tracks import parse_tracks

pytestmark = pytest.mark.unit


def chart(tracks: dict[str, list[str]], sync=("0 = TS 4", "0 = B 120000"), events=(),
          song=("Resolution = 192",)) -> bytes:
    """A .chart file from its parts."""
    parts = ["[Song]", "{", *(f"  {line}" for line in song), "}",
             "[SyncTrack]", "{", *(f"  {line}" for line in sync), "}",
             "[Events]", "{", *(f"  {line}" for line in events), "}"]
    for name, lines in tracks.items():
        parts += [f"[{name}]", "{", *(f"  {line}" for line in lines), "}"]
    return ("\r\n".join(parts) + "\r\n").encode()


def analysed(data: bytes, **modifiers):
    notes, metadata = analyse_chart(data, "chart", {**DEFAULT_METADATA, **modifiers})
    return notes.as_dict(), metadata


def first_track(data: bytes, **modifiers):
    raw = parse_chart(data)
    return parse_tracks(raw, "chart", {**DEFAULT_METADATA, **modifiers}).tracks[0]


def test_song_section_gives_resolution_offset_and_metadata():
    data = chart({}, song=("Resolution = 480", 'Name = "Song"', 'Artist = "Band"', "Offset = 0.5",
                           'Year = ", 1999"', "Difficulty = 4"))
    raw = parse_chart(data)
    assert raw.resolution == 480
    assert raw.metadata["name"] == "Song"
    assert raw.metadata["year"] == "1999"
    assert raw.metadata["delay"] == 500
    assert raw.metadata["diff_guitar"] == 4


def test_ticks_become_milliseconds_through_every_tempo_change():
    data = chart({"ExpertSingle": ["0 = N 0 0", "768 = N 1 0", "960 = N 2 0"]},
                 sync=("0 = TS 4", "0 = B 120000", "768 = B 60000"))
    assert first_track(data).times == [0.0, 2000.0, 3000.0]


def test_close_different_notes_are_natural_hopos_and_forced_flips_them():
    plain = first_track(chart({"ExpertSingle": ["0 = N 0 0", "48 = N 1 0"]}))
    forced = first_track(chart({"ExpertSingle": ["0 = N 0 0", "48 = N 1 0", "48 = N 5 0"]}))
    assert [g[0][3] for g in plain.groups] == [ev.F_STRUM, ev.F_HOPO]
    assert [g[0][3] for g in forced.groups] == [ev.F_STRUM, ev.F_STRUM]


def test_tap_and_open_notes():
    track = first_track(chart({"ExpertSingle": ["0 = N 7 0", "192 = N 2 0", "192 = N 6 0"]}))
    assert track.groups[0][0][2] == ev.N_OPEN
    assert track.groups[1][0][3] == ev.F_TAP


def test_a_chord_counts_once_on_guitar_but_every_drum_note_counts():
    chord = ["0 = N 0 0", "0 = N 1 0", "0 = N 2 0"]
    guitar, _ = analysed(chart({"ExpertSingle": chord}))
    drums, _ = analysed(chart({"ExpertDrums": chord}))
    assert guitar["noteCounts"][0]["count"] == 1
    assert drums["noteCounts"][0]["count"] == 3


def test_drum_cymbals_accents_ghosts_and_double_kick():
    data = chart({"ExpertDrums": ["0 = N 2 0", "0 = N 66 0", "0 = N 0 0", "192 = N 32 0",
                                  "384 = N 1 0", "384 = N 34 0", "576 = N 3 0", "576 = N 42 0"]})
    notes, _ = analysed(data)
    assert notes["drumType"] == 1 and notes["drumTypeName"] == "fourLanePro"
    assert notes["has2xKick"] is True
    track = first_track(data)
    flags = {note[2]: note[3] for group in track.groups for note in group}
    assert flags[ev.N_YELLOW_DRUM] & ev.F_CYMBAL
    assert flags[ev.N_RED_DRUM] & ev.F_ACCENT
    assert flags[ev.N_BLUE_DRUM] & ev.F_GHOST and flags[ev.N_BLUE_DRUM] & ev.F_TOM


def test_five_lane_drums_are_recognised_by_the_fifth_lane():
    notes, _ = analysed(chart({"ExpertDrums": ["0 = N 5 0", "192 = N 1 0"]}))
    assert notes["drumTypeName"] == "fiveLane"


def test_star_power_solos_sections_lyrics_and_activation_lanes():
    data = chart({"ExpertDrums": ["0 = S 2 768", "0 = S 64 384", "0 = E solo", "0 = N 1 0",
                                  "192 = N 1 0", "384 = E soloend", "768 = S 65 192"]},
                 events=('0 = E "section Intro"', '0 = E "phrase_start"', '0 = E "lyric Hel-"'))
    notes, _ = analysed(data)
    assert notes["hasSoloSections"] and notes["hasLyrics"] and notes["hasFlexLanes"]
    track = first_track(data)
    assert (track.star_power[0].tick, track.star_power[0].length) == (0, 768)
    assert (track.solo_sections[0].tick, track.solo_sections[0].length) == (0, 385)
    assert len(track.freestyle_sections) == 1
    assert notes["sectionCount"] == 1


def test_every_track_name_maps_to_its_instrument_and_difficulty():
    names = {"ExpertSingle": ("guitar", "expert"), "HardDoubleGuitar": ("guitarcoop", "hard"),
             "MediumDoubleBass": ("bass", "medium"), "EasyDoubleRhythm": ("rhythm", "easy"),
             "ExpertKeyboard": ("keys", "expert"), "HardDrums": ("drums", "hard"),
             "ExpertGHLGuitar": ("guitarghl", "expert"), "EasyGHLBass": ("bassghl", "easy"),
             "MediumGHLRhythm": ("rhythmghl", "medium"),
             "ExpertGHLCoop": ("guitarcoopghl", "expert")}
    raw = parse_chart(chart({name: ["0 = N 0 0"] for name in names}))
    assert {(t.instrument, t.difficulty) for t in raw.tracks} == set(names.values())


def test_six_fret_open_and_black_lanes():
    track = first_track(chart({"ExpertGHLGuitar": ["0 = N 7 0", "192 = N 8 0", "384 = N 3 0"]}))
    assert [g[0][2] for g in track.groups] == [ev.N_OPEN, ev.N_BLACK3, ev.N_BLACK1]


def test_max_nps_finds_the_densest_second():
    lines = [f"{i * 48} = N 0 0" for i in range(10)]  # 10 notes within 1.25 s at 120 BPM
    notes, _ = analysed(chart({"ExpertSingle": lines}))
    assert notes["maxNps"][0]["nps"] == 9
    assert notes["maxNps"][0]["time"] == 0


def test_sustains_are_kept_and_overlapping_sustains_are_cut():
    track = first_track(chart({"ExpertSingle": ["0 = N 0 384", "192 = N 0 0"]}))
    assert [g[0][1] for g in track.groups] == [192, 192]


@pytest.mark.parametrize("data, message", [
    (b"no sections at all", "no sections"),
    (b"[Song]\n{\n  Offset = 0\n}\n", "resolution not found"),
    (b"[Song\n]{\n}\n", "unexpected new line"),
    (b"}", "end of section"),
])
def test_malformed_charts_raise_a_chart_parse_error(data, message):
    with pytest.raises(ChartParseError, match=message) as raised:
        parse_chart(data)
    assert isinstance(raised.value, SongFormatError)


def test_a_zero_tempo_is_an_error():
    with pytest.raises(ChartParseError, match="Tempo at tick 0 was zero"):
        parse_chart(chart({}, sync=("0 = B 0",)))


def test_utf16_chart_files_are_read():
    text = chart({"ExpertSingle": ["0 = N 0 0"]}, song=("Resolution = 192", 'Name = "Ünï"'))
    raw = parse_chart(b"\xff\xfe" + text.decode().encode("utf-16-le"))
    assert raw.metadata["name"] == "Ünï"
    assert len(raw.tracks) == 1


def test_error_text_names_file_and_location():
    error = ChartParseError("bad tick", file="notes.chart", location="line 12")
    assert str(error) == "notes.chart, line 12: bad tick"
    assert error.reason == "bad tick"


@pytest.mark.timeout(60)
def test_a_time_signature_of_vanishing_length_never_hangs_the_issue_check():
    """A beat of 2^-290 makes a measure too short to move the beatline in floating point
    once it nears the next signature; that one is then reported misaligned instead of being
    waited for."""
    data = chart({"ExpertSingle": ["0 = N 0 0"]}, song=("Resolution = 1392",),
                 sync=("0 = TS 1 290", "1000 = TS 4", "0 = B 120000"))
    notes, _ = analysed(data)
    misaligned = [issue for issue in notes["chartIssues"]
                  if issue["noteIssue"] == "misalignedTimeSignature"]
    assert len(misaligned) == 1
