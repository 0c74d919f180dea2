"""`.mid` charts: track names, difficulty ranges, modifiers, phrases, vocals and the tempo map."""

from __future__ import annotations

import io

import mido
import pytest

from shared.songs import events as ev
from shared.songs.errors import ChartParseError
from shared.songs.ini import DEFAULT_METADATA
from shared.songs.midi import parse_midi
from shared.songs.notes import analyse_chart
from shared.songs.tracks import parse_tracks

pytestmark = pytest.mark.unit
TPQ = 480


def note(number: int, tick: int, length: int = 60, velocity: int = 100) -> list[tuple]:
    return [(tick, mido.Message("note_on", note=number, velocity=velocity)),
            (tick + length, mido.Message("note_off", note=number, velocity=0))]


def track(name: str, *timed: tuple) -> mido.MidiTrack:
    """A track from absolute-time messages."""
    messages = [mido.MetaMessage("track_name", name=name, time=0)]
    last = 0
    for tick, message in sorted(timed, key=lambda item: item[0]):
        messages.append(message.copy(time=tick - last))
        last = tick
    return mido.MidiTrack(messages)


def midi(*tracks: mido.MidiTrack, tempo_track: mido.MidiTrack | None = None) -> bytes:
    file = mido.MidiFile(type=1, ticks_per_beat=TPQ)
    default_tempo = track("tempo", (0, mido.MetaMessage("set_tempo", tempo=500000)))
    file.tracks.append(tempo_track or default_tempo)
    file.tracks.extend(tracks)
    buffer = io.BytesIO()
    file.save(file=buffer)
    return buffer.getvalue()


def parsed(data: bytes, **modifiers):
    options = {**DEFAULT_METADATA, **modifiers}
    return parse_tracks(parse_midi(data, options), "mid", options)


def analysed(data: bytes) -> dict:
    return analyse_chart(data, "mid", DEFAULT_METADATA)[0].as_dict()


def test_the_four_difficulty_ranges_become_four_tracks():
    data = midi(track("PART GUITAR", *note(96, 0), *note(84, 0), *note(72, 0), *note(60, 0)))
    assert [(t.instrument, t.difficulty) for t in parsed(data).tracks] == [
        ("guitar", "expert"), ("guitar", "hard"), ("guitar", "medium"), ("guitar", "easy")]


def test_tracks_are_found_by_name_and_unknown_tracks_are_ignored():
    data = midi(track("PART BASS", *note(97, 0)), track("PART KEYS", *note(98, 0)),
                track("PART REAL_KEYS_X", *note(60, 0)), track("BEAT", *note(12, 0)))
    assert [t.instrument for t in parsed(data).tracks] == ["bass", "keys"]


def test_a_second_track_of_the_same_name_reports_the_first_ones_hash():
    """scan-chart looks each track's hash up by instrument and difficulty, so a .mid holding
    both PART GUITAR and T1 GEMS lists two guitar tracks with the first one's hash."""
    data = midi(track("PART GUITAR", *note(96, 0)), track("T1 GEMS", *note(97, 0), *note(98, 480)))
    hashes = analysed(data)["trackHashes"]
    assert [(h["instrument"], h["difficulty"]) for h in hashes] == [("guitar", "expert")] * 2
    assert hashes[0]["hash"] == hashes[1]["hash"]
    assert analysed(data)["noteCounts"][1]["count"] == 2


def test_forced_hopo_and_strum_markers():
    data = midi(track("PART GUITAR", *note(96, 0), *note(97, 120), *note(102, 120),
                      *note(98, 240), *note(101, 240)))
    flags = [g[0][3] for g in parsed(data).tracks[0].groups]
    assert flags == [ev.F_STRUM, ev.F_STRUM, ev.F_HOPO]
    assert analysed(data)["hasForcedNotes"] is True


def test_tap_phrase_and_phase_shift_open_sysex():
    open_on = mido.Message("sysex", data=[0x50, 0x53, 0, 0, 3, 1, 1])
    open_off = mido.Message("sysex", data=[0x50, 0x53, 0, 0, 3, 1, 0])
    data = midi(track("PART GUITAR", *note(96, 0), *note(104, 0, 100),
                      *note(97, 480), (480, open_on), (540, open_off)))
    groups = parsed(data).tracks[0].groups
    assert groups[0][0][3] == ev.F_TAP
    assert groups[1][0][2] == ev.N_OPEN


def test_star_power_and_solo_phrases_apply_to_every_difficulty():
    data = midi(track("PART GUITAR", *note(116, 0, 960), *note(103, 0, 960),
                      *note(96, 0), *note(84, 0)))
    tracks = parsed(data).tracks
    assert all(len(t.star_power) == 1 and len(t.solo_sections) == 1 for t in tracks)


def test_pro_drum_tom_markers_double_kick_and_activation_lanes():
    data = midi(track("PART DRUMS", *note(98, 0), *note(110, 0, 10), *note(99, 480),
                      *note(95, 960), *note(120, 0, 960)))
    notes = analysed(data)
    assert notes["drumTypeName"] == "fourLanePro"
    assert notes["has2xKick"] is True
    flags = [n[3] for g in parsed(data).tracks[0].groups for n in g]
    assert flags[0] & ev.F_TOM and flags[1] & ev.F_CYMBAL


def test_vocals_and_lyrics_come_from_part_vocals():
    data = midi(track("PART VOCALS", *note(60, 0), (0, mido.MetaMessage("lyrics", text="Hel-"))))
    notes = analysed(data)
    assert notes["hasVocals"] and notes["hasLyrics"]


def test_sections_and_end_events_come_from_the_events_track():
    events = track("EVENTS", (0, mido.MetaMessage("text", text="[section verse_1]")),
                   (480, mido.MetaMessage("text", text="prc_chorus")),
                   (960, mido.MetaMessage("text", text="[section odd]name]")),
                   (1920, mido.MetaMessage("text", text="[end]")))
    chart = parsed(midi(track("PART GUITAR", *note(96, 0)), events))
    # scan-chart 8 drops the closing bracket; a name holding a `]` is no section at all
    assert [s.name for s in chart.sections] == ["verse_1", "chorus"]
    assert [e.tick for e in chart.end_events] == [1920]


def test_tempo_and_time_signatures_come_from_the_first_track():
    tempo = track("tempo", (0, mido.MetaMessage("set_tempo", tempo=500000)),
                  (960, mido.MetaMessage("set_tempo", tempo=1000000)),
                  (0, mido.MetaMessage("time_signature", numerator=7, denominator=8)))
    chart = parsed(midi(track("PART GUITAR", *note(96, 1440)), tempo_track=tempo))
    assert [(t.tick, t.bpm) for t in chart.tempos] == [(0, 120.0), (960, 60.0)]
    assert (chart.time_signatures[0].numerator, chart.time_signatures[0].denominator) == (7, 8)
    assert chart.tracks[0].times == [2000.0]


def test_short_sustains_are_cut_to_zero():
    data = midi(track("PART GUITAR", *note(96, 0, 100), *note(97, 480, 400)))
    assert [g[0][1] for g in parsed(data).tracks[0].groups] == [0, 400]


def test_format_zero_files_are_refused():
    file = mido.MidiFile(type=0, ticks_per_beat=TPQ)
    file.tracks.append(mido.MidiTrack([mido.MetaMessage("track_name", name="x")]))
    buffer = io.BytesIO()
    file.save(file=buffer)
    with pytest.raises(ChartParseError, match="unsupported header format"):
        parse_midi(buffer.getvalue(), DEFAULT_METADATA)
