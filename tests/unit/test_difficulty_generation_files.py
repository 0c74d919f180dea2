"""Generated difficulties written into .chart and .mid files, read back by our own scanner."""

from __future__ import annotations

import io
import random

import mido
import pytest

from shared.songs import events as ev
from shared.songs.errors import ChartParseError
from shared.songs.ini import DEFAULT_METADATA
from shared.songs.reduction import generate_lower_difficulties
from shared.songs.reduction.generate import parse_chart_file
from shared.songs.scan import scan_song
from tests.support.random_charts import chart_file
from tests.support.random_midi import midi_file
from tests.unit.test_difficulty_reduction import busy_drums, busy_guitar, chart_text

RESOLUTION = 480
INI = b"[song]\nname = Fixture\nartist = Nobody\npro_drums = True\n"
MODIFIERS = {**DEFAULT_METADATA, "pro_drums": True}


def midi_chart() -> bytes:
    """Expert-only guitar (chords, forced HOPOs, a tap phrase, an open note without
    ENHANCED_OPENS, sustains, star power) and pro drums (cymbals, a tom marker, 2x kicks)."""
    def track(name, events):
        result = mido.MidiTrack([mido.MetaMessage("track_name", name=name, time=0)])
        last = 0
        for tick, _order, message in sorted(events, key=lambda e: (e[0], e[1])):
            result.append(message.copy(time=tick - last))
            last = tick
        return result

    def note(events, tick, number, length=60):
        events.append((tick, 1, mido.Message("note_on", note=number, velocity=100)))
        events.append((tick + length, 0, mido.Message("note_off", note=number)))

    guitar, drums = [], []
    step = RESOLUTION // 4
    start = 4 * RESOLUTION
    for index in range(256):
        tick = start + index * step
        note(guitar, tick, 96 + index % 5)
        if index % 4 == 0:
            note(guitar, tick, 96 + (index + 2) % 5)
        if index % 16 == 9:
            note(guitar, tick, 101, 1)  # forced HOPO
        note(drums, tick, 98)  # yellow, a cymbal unless a tom marker covers it
        if index % 2 == 0:
            note(drums, tick, 95 if index % 8 == 6 else 96)
        if index % 8 == 4:
            note(drums, tick, 97)
    note(guitar, start + 64 * step, 104, 16 * step)  # a bar of taps
    note(drums, start + 128 * step, 110, 8 * step)  # yellow toms for half a bar
    end = start + 256 * step
    note(guitar, end, 96, RESOLUTION * 2)  # an open note, through a Phase Shift sysex
    guitar.append((end, 1, mido.Message("sysex", data=(0x50, 0x53, 0, 0, 3, 1, 1))))
    guitar.append((end + 10, 0, mido.Message("sysex", data=(0x50, 0x53, 0, 0, 3, 1, 0))))
    note(guitar, end + RESOLUTION * 4, 98, RESOLUTION * 4)
    for events in (guitar, drums):
        note(events, start, 116, RESOLUTION * 8)
    tempo = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=500000, time=0),
                            mido.MetaMessage("time_signature", numerator=4, denominator=4)])
    section = mido.MidiTrack([mido.MetaMessage("track_name", name="EVENTS", time=0),
                              mido.MetaMessage("text", text="[section intro]", time=0)])
    midi = mido.MidiFile(type=1, ticks_per_beat=RESOLUTION)
    midi.tracks += [tempo, section, track("PART GUITAR", guitar), track("PART DRUMS", drums)]
    out = io.BytesIO()
    midi.save(file=out)
    return out.getvalue()


def chart_chart() -> bytes:
    return chart_text({"ExpertSingle": busy_guitar(), "ExpertDrums": busy_drums()})


def tracks_by_name(scan):
    return {(t.instrument, t.difficulty): t for t in scan.notes_data.tracks}


@pytest.mark.parametrize("name, data", [("notes.chart", chart_chart()),
                                        ("notes.mid", midi_chart())])
def test_generated_difficulties_are_read_back_with_expert_untouched_and_no_issue(name, data):
    before = scan_song({name: data, "song.ini": INI})
    result = generate_lower_difficulties(data, name.rsplit(".", 1)[1], MODIFIERS)
    after = scan_song({name: result.data, "song.ini": INI})
    tracks_before, tracks_after = tracks_by_name(before), tracks_by_name(after)
    assert set(tracks_before) == {("guitar", "expert"), ("drums", "expert")}
    for instrument in ("guitar", "drums"):
        assert tracks_after[(instrument, "expert")] == tracks_before[(instrument, "expert")]
        for difficulty in ("hard", "medium", "easy"):
            assert tracks_after[(instrument, difficulty)].note_count > 0
    assert [i for i in after.notes_data.chart_issues
            if i.difficulty in ("hard", "medium", "easy")] == []
    assert before.folder_issues == after.folder_issues


@pytest.mark.parametrize("name, data", [("notes.chart", chart_chart()),
                                        ("notes.mid", midi_chart())])
def test_the_file_holds_exactly_the_generated_notes_with_their_flags(name, data):
    fmt = name.rsplit(".", 1)[1]
    result = generate_lower_difficulties(data, fmt, MODIFIERS)
    chart = parse_chart_file(result.data, fmt, MODIFIERS)
    read = {(t.instrument, t.difficulty): t for t in chart.tracks}
    kept_flags = ev.F_STRUM | ev.F_HOPO | ev.F_TAP | ev.F_TOM | ev.F_CYMBAL
    for part in result.parts:
        track = read[(part.instrument, part.difficulty)]
        notes = sorted((n[0], n[2], n[3] & kept_flags) for g in track.groups for n in g)
        assert notes == sorted((n.tick, n.lane, n.flags) for n in part.notes)
        lengths = sorted((n[0], n[2], n[1]) for g in track.groups for n in g)
        if part.instrument != "drums":
            assert lengths == sorted((n.tick, n.lane, n.length) for n in part.notes)


def test_easy_in_a_mid_has_no_taps_under_the_instrument_wide_tap_phrase():
    result = generate_lower_difficulties(midi_chart(), "mid", MODIFIERS)
    chart = parse_chart_file(result.data, "mid", MODIFIERS)
    hard, easy = ({t.difficulty: t for t in chart.tracks if t.instrument == "guitar"}[d]
                  for d in ("hard", "easy"))
    assert any(n[3] & ev.F_TAP for g in hard.groups for n in g)
    assert not any(n[3] & (ev.F_TAP | ev.F_HOPO) for g in easy.groups for n in g)


def test_easy_drums_in_a_pro_drums_mid_have_toms_but_no_cymbals():
    result = generate_lower_difficulties(midi_chart(), "mid", MODIFIERS)
    chart = parse_chart_file(result.data, "mid", MODIFIERS)
    easy = {t.difficulty: t for t in chart.tracks if t.instrument == "drums"}["easy"]
    flags = [n[3] for g in easy.groups for n in g if n[2] != ev.N_KICK]
    assert flags and not any(f & ev.F_CYMBAL for f in flags)
    assert any(f & ev.F_TOM for f in flags)


def test_easy_drums_in_a_five_lane_chart_have_no_cymbals():
    lines = [f"{4 * RESOLUTION + index * RESOLUTION // 4} = N {2 if index % 8 else 4} 0"
             for index in range(128)]  # hi-hat sixteenths, a crash each half measure
    lines += [f"{4 * RESOLUTION + beat * RESOLUTION} = N {1 if beat % 2 else 5} 0"
              for beat in range(32)]
    modifiers = {**DEFAULT_METADATA, "five_lane_drums": True}
    result = generate_lower_difficulties(chart_text({"ExpertDrums": lines}), "chart", modifiers)
    chart = parse_chart_file(result.data, "chart", modifiers)
    easy = {t.difficulty: t for t in chart.tracks if t.instrument == "drums"}["easy"]
    flags = [n[3] for g in easy.groups for n in g if n[2] != ev.N_KICK]
    assert flags and not any(f & ev.F_CYMBAL for f in flags)


def test_a_chart_charted_on_every_difficulty_is_left_as_it_is():
    data = chart_text({f"{d}Single": busy_guitar(2) for d in ("Expert", "Hard", "Medium", "Easy")})
    result = generate_lower_difficulties(data, "chart", DEFAULT_METADATA)
    assert result.data == data and result.parts == ()


@pytest.mark.parametrize("seed", range(40))
def test_random_charts_keep_every_charted_track_and_gain_the_missing_ones(seed):
    rng = random.Random(seed)
    name, data = (("notes.mid", midi_file(rng)) if seed % 2 else ("notes.chart", chart_file(rng)))
    fmt = name.rsplit(".", 1)[1]
    try:
        chart = parse_chart_file(data, fmt, DEFAULT_METADATA)
    except ChartParseError:
        with pytest.raises(ChartParseError):  # what cannot be read cannot be generated either
            generate_lower_difficulties(data, fmt, DEFAULT_METADATA)
        return
    result = generate_lower_difficulties(data, fmt, DEFAULT_METADATA)
    again = parse_chart_file(result.data, fmt, DEFAULT_METADATA)
    before = {(t.instrument, t.difficulty): t.groups for t in chart.tracks if t.groups}
    after = {(t.instrument, t.difficulty): t.groups for t in again.tracks if t.groups}
    assert {key: after[key] for key in before} == before
    assert set(after) - set(before) == {(p.instrument, p.difficulty) for p in result.parts}
