"""Random small `.mid` charts: a tempo track, EVENTS, instrument tracks with modifiers, phrases
and Phase Shift sysex events, sometimes PART VOCALS."""

from __future__ import annotations

import io
import random

import mido

from tests.support.random_charts import SECTION_TEXTS, WORDS, phrases, song_ticks, sustain

FIVE_FRET_TRACKS = ("PART GUITAR", "PART BASS", "PART RHYTHM", "PART KEYS", "PART GUITAR COOP",
                    "T1 GEMS")
SIX_FRET_TRACKS = ("PART GUITAR GHL", "PART BASS GHL")
# Lowest note of each difficulty, easy to expert (scan-chart's table starts).
FIVE_FRET_STARTS = (59, 71, 83, 95)  # + 1 green ... + 5 orange, + 6 HOPO, + 7 strum; + 0 open
SIX_FRET_STARTS = (58, 70, 82, 94)   # + 0 open, + 1..3 white, + 4..6 black, + 7 HOPO, + 8 strum
DRUM_STARTS = (59, 71, 83, 95)       # + 0 2x kick, + 1 kick, + 2 red ... + 6 five-lane green


def _note(events: list, tick: int, number: int, length: int, velocity: int = 100) -> None:
    events.append((tick, 1, mido.Message("note_on", note=number, velocity=velocity)))
    events.append((tick + max(1, length), 0, mido.Message("note_off", note=number, velocity=0)))


def _track(name: str | None, events: list) -> mido.MidiTrack:
    """A track from (tick, order, message): note-offs before note-ons at the same tick."""
    track = mido.MidiTrack()
    if name is not None:
        track.append(mido.MetaMessage("track_name", name=name, time=0))
    last = 0
    for tick, _, message in sorted(events, key=lambda e: (e[0], e[1])):
        track.append(message.copy(time=tick - last))
        last = tick
    return track


def _text(events: list, tick: int, text: str) -> None:
    events.append((tick, 0, mido.MetaMessage("text", text=text)))


_ALL_DIFFICULTIES = 0x7E  # mido writes 7-bit data only: becomes 0xFF once the file is saved
_SYSEX_HEAD = bytes((0x50, 0x53, 0, 0))


def _sysex(events: list, tick: int, length: int, difficulty: int, code: int) -> None:
    """Phase Shift sysex: `code` 1 open, 4 tap; difficulty 0..3 or _ALL_DIFFICULTIES."""
    for at, on in ((tick, 1), (tick + length, 0)):
        data = (*_SYSEX_HEAD, difficulty, code, on)
        events.append((at, on, mido.Message("sysex", data=data)))


def _fret_track(rng: random.Random, resolution: int, six: bool) -> list:
    events: list = []
    enhanced = not six and rng.random() < 0.3
    if enhanced:
        _text(events, 0, rng.choice(("[ENHANCED_OPENS]", "ENHANCED_OPENS")))
    starts, lanes = (SIX_FRET_STARTS, range(1, 7)) if six else (FIVE_FRET_STARTS, range(1, 6))
    for index in rng.sample(range(4), rng.randint(1, 4)):
        start = starts[index]
        ticks = song_ticks(rng, resolution)
        for tick in ticks:
            length = sustain(rng, resolution) or resolution // 8
            size = rng.choices((1, 2, 3), weights=(75, 20, 5))[0]
            opens = (six or enhanced) and rng.random() < 0.08
            for lane in [0] if opens else rng.sample(lanes, size):
                _note(events, tick, start + lane, length)
            if rng.random() < 0.08:
                _note(events, tick, start + len(lanes) + rng.choice((1, 2)), rng.randint(1, 200))
            if rng.random() < 0.04:
                _sysex(events, tick, 1, rng.choice((index, _ALL_DIFFICULTIES)), rng.choice((1, 4)))
        _phrases(rng, events, ticks, drums=False)
    return events


def _drum_track(rng: random.Random, resolution: int) -> list:
    events: list = []
    dynamics = rng.random() < 0.3
    if dynamics:
        _text(events, 0, "[ENABLE_CHART_DYNAMICS]")
    for index in rng.sample(range(4), rng.randint(1, 4)):
        start = DRUM_STARTS[index]
        ticks = song_ticks(rng, resolution)
        for tick in ticks:
            for lane in rng.sample(range(1, 7), rng.choices((1, 2, 3), weights=(60, 35, 5))[0]):
                velocity = rng.choice((1, 127, 100, 64)) if dynamics else 100
                _note(events, tick, start + lane, resolution // 8, velocity)
            if rng.random() < 0.05:
                _note(events, tick, start, resolution // 8)
            if rng.random() < 0.2:
                _note(events, tick, rng.choice((109, 110, 111, 112)), rng.randint(1, resolution))
            if rng.random() < 0.01:
                _text(events, tick, f"[mix {index} drums0{rng.choice(('', 'd', 'dnoflip'))}]")
        _phrases(rng, events, ticks, drums=True)
    return events


def _phrases(rng: random.Random, events: list, ticks: list[int], drums: bool) -> None:
    """Star power, solos and (drums) activation lanes and rolls; instrument-wide notes."""
    kinds = [116, 103] + ([120, 126, 127] if drums else [104])
    for number in kinds:
        for tick, length in phrases(rng, ticks, 2):
            _note(events, tick, number, length, rng.choice((100, 25, 45, 60)))


def _vocals(rng: random.Random, resolution: int) -> list:
    events: list = []
    for tick in song_ticks(rng, resolution):
        _note(events, tick, rng.randint(30, 90), resolution // 4)
        events.append((tick, 1, mido.MetaMessage("lyrics", text=rng.choice(("la", "hey-", "+")))))
    return events


def _tempo_track(rng: random.Random, resolution: int) -> list:
    events: list = []
    if rng.random() < 0.9:
        events.append((0, 0, mido.MetaMessage("set_tempo", tempo=rng.randint(250000, 1500000))))
    if rng.random() < 0.9:
        events.append((0, 0, mido.MetaMessage("time_signature", numerator=rng.choice((4, 3, 7)),
                                              denominator=rng.choice((4, 8, 2)))))
    for _ in range(rng.randint(0, 4)):
        tick = rng.randint(1, 40) * resolution * rng.choice((1, 4))
        events.append((tick, 0, rng.choice((
            mido.MetaMessage("set_tempo", tempo=rng.randint(200000, 2000000)),
            mido.MetaMessage("time_signature", numerator=rng.choice((5, 2)), denominator=4)))))
    return events


def _events_track(rng: random.Random, resolution: int) -> list:
    events: list = []
    for _ in range(rng.choice((0, 1, 3, 8))):
        text = rng.choice(SECTION_TEXTS).format(rng.choice(WORDS))
        _text(events, rng.randint(0, 200) * resolution, text)
    for _ in range(rng.choice((0, 0, 1, 2))):
        _text(events, rng.randint(0, 300) * resolution, rng.choice(("[end]", "end")))
    if rng.random() < 0.1:
        _text(events, rng.randint(0, 100) * resolution, "[coda]")
    return events


def midi_file(rng: random.Random) -> bytes:
    """A format-1 .mid: tempo track first, then EVENTS and a few instrument tracks."""
    resolution = rng.choice((480, 192, 960))
    tracks = [_track(rng.choice((None, "tempo")), _tempo_track(rng, resolution))]
    if rng.random() < 0.8:
        tracks.append(_track("EVENTS", _events_track(rng, resolution)))
    names = rng.sample([*FIVE_FRET_TRACKS, *SIX_FRET_TRACKS, "PART DRUMS"], rng.randint(0, 3))
    for name in names:
        if name == "PART DRUMS":
            events = _drum_track(rng, resolution)
        else:
            events = _fret_track(rng, resolution, name in SIX_FRET_TRACKS)
        tracks.append(_track(name, events))
    if rng.random() < 0.2:
        tracks.append(_track("PART VOCALS", _vocals(rng, resolution)))
    file = mido.MidiFile(type=1, ticks_per_beat=resolution)
    file.tracks.extend(tracks)
    out = io.BytesIO()
    file.save(file=out)
    every = _SYSEX_HEAD + bytes((_ALL_DIFFICULTIES,))
    return out.getvalue().replace(every, _SYSEX_HEAD + b"\xff")
