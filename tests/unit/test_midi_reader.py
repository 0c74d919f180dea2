"""Our MIDI reader decodes exactly what mido decodes, on every corpus .mid and on small files."""

from __future__ import annotations

import io

import mido
import pytest

from shared.songs.errors import ChartParseError
from shared.songs.midifile import META, NOTE_OFF, NOTE_ON, SYSEX, iter_events, read_midi
from tests.support.corpus import CHARTS as CORPUS

pytestmark = pytest.mark.unit

CORPUS_MIDS = sorted(CORPUS.rglob("*.mid")) if CORPUS.is_dir() else []
META_CODES = {"text": 0x01, "track_name": 0x03, "lyrics": 0x05, "set_tempo": 0x51,
              "time_signature": 0x58}


def mido_events(track: mido.MidiTrack) -> list[tuple]:
    """mido's view of a track as (tick, kind, number, value) for the events we use."""
    events, tick = [], 0
    for message in track:
        tick += message.time
        if message.type in ("note_on", "note_off"):
            on = message.type == "note_on" and message.velocity > 0
            events.append((tick, NOTE_ON if on else NOTE_OFF, message.note, message.velocity,
                           message.channel))
        elif message.type == "sysex":
            events.append((tick, SYSEX, bytes(message.data)))
        elif message.type in META_CODES:
            value = {"set_tempo": lambda m: m.tempo,
                     "time_signature": lambda m: (m.numerator, m.denominator),
                     "track_name": lambda m: m.name}.get(message.type, lambda m: m.text)(message)
            events.append((tick, META, META_CODES[message.type], value))
    return events


def our_events(track: bytes) -> list[tuple]:
    """Ours, in the same shape as `mido_events`."""
    events = []
    for tick, kind, code, value, data in iter_events(track):
        if kind in (NOTE_ON, NOTE_OFF):
            events.append((tick, kind, code, value, data))
        elif kind == SYSEX and code == 0xF0:
            body = data[:-1] if data.endswith(b"\xf7") else data
            # mido refuses sysex bytes over 127 (Phase Shift uses 0xFF) unless told to clip them
            events.append((tick, SYSEX, bytes(min(byte, 127) for byte in body)))
        elif kind == META and code in META_CODES.values():
            if code == 0x51:
                decoded = int.from_bytes(data, "big")
            elif code == 0x58:
                decoded = (data[0], 2 ** data[1])
            else:
                decoded = data.decode("latin-1")
            events.append((tick, META, code, decoded))
    return events


@pytest.mark.parametrize("path", CORPUS_MIDS, ids=lambda p: str(p.relative_to(CORPUS)))
def test_reader_matches_mido_on_every_corpus_midi(path):
    data = path.read_bytes()
    reference = mido.MidiFile(file=io.BytesIO(data), clip=True)
    ours = read_midi(data)
    assert ours.format == reference.type
    assert ours.ticks_per_beat == reference.ticks_per_beat
    assert len(ours.tracks) == len(reference.tracks)
    for track, expected in zip(ours.tracks, reference.tracks, strict=True):
        assert our_events(track) == mido_events(expected)


def midi_bytes(*tracks: list[mido.Message | mido.MetaMessage], ticks: int = 480) -> bytes:
    file = mido.MidiFile(type=1, ticks_per_beat=ticks)
    for messages in tracks:
        file.tracks.append(mido.MidiTrack(messages))
    buffer = io.BytesIO()
    file.save(file=buffer)
    return buffer.getvalue()


def test_note_on_with_zero_velocity_ends_a_note_and_running_status_is_followed():
    data = midi_bytes([mido.Message("note_on", note=96, velocity=100, time=0),
                       mido.Message("note_on", note=96, velocity=0, time=240),
                       mido.Message("note_on", note=97, velocity=90, time=0)])
    track = read_midi(data).tracks[0]
    assert [e[:3] for e in iter_events(track) if e[1] != META] == [
        (0, NOTE_ON, 96), (240, NOTE_OFF, 96), (240, NOTE_ON, 97)]
    assert b"\x81\x70\x60\x00" in track  # mido wrote running status


def test_header_and_chunk_errors_are_chart_parse_errors():
    with pytest.raises(ChartParseError, match="Expected 'MHdr'"):
        read_midi(b"RIFF0000")
    good = midi_bytes([mido.MetaMessage("track_name", name="x")])
    with pytest.raises(ChartParseError, match="Expected 'MTrk'"):
        read_midi(good[:14] + b"XXXX" + good[18:])
