"""A small Standard MIDI File reader that decodes only what charts use.

It follows the npm `midi-file` reader that scan-chart uses: a note-on with velocity 0 is a
note-off, running status survives meta and sysex events, text is read as Latin-1.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from .errors import ChartParseError

NOTE_OFF, NOTE_ON, META, SYSEX = 0, 1, 2, 3
_DATA_BYTES = {0x8: 2, 0x9: 2, 0xA: 2, 0xB: 2, 0xC: 1, 0xD: 1, 0xE: 2}
_META_LENGTHS = {0x00: (2,), 0x20: (1,), 0x21: (1,), 0x2F: (0,), 0x51: (3,), 0x54: (5,),
                 0x58: (2, 4), 0x59: (2,)}


@dataclass(frozen=True)
class MidiFile:
    """Header values and the raw bytes of each track chunk."""

    format: int
    ticks_per_beat: int | None
    tracks: tuple[bytes, ...]


def read_midi(data: bytes) -> MidiFile:
    """Split a .mid file into its header and track chunks."""
    if len(data) < 14 or data[:4] != b"MThd":
        found = data[:4].decode("latin-1")
        raise ChartParseError(f"Bad MIDI file. Expected 'MHdr', got: '{found}'",
                              location="byte 0")
    header_length = int.from_bytes(data[4:8], "big")
    header = data[8 : 8 + header_length].ljust(6, b"\0")
    fmt, count, division = (int.from_bytes(header[i : i + 2], "big") for i in (0, 2, 4))
    ticks = None if division & 0x8000 else division
    tracks, at = [], 8 + header_length
    while at < len(data) and len(tracks) < count:
        chunk_id = data[at : at + 4]
        length = int.from_bytes(data[at + 4 : at + 8].ljust(4, b"\0"), "big")
        if chunk_id != b"MTrk":
            raise ChartParseError(f"Bad MIDI file. Expected 'MTrk', got: "
                                  f"'{chunk_id.decode('latin-1')}'", location=f"byte {at}")
        tracks.append(data[at + 8 : at + 8 + length])
        at += 8 + length
    return MidiFile(fmt, ticks, tuple(tracks))


ALL_NOTES = bytes([1]) * 128
NO_NOTES = bytes(128)


def decode_track(track: bytes, wanted: bytes = ALL_NOTES) -> tuple[list[tuple], list[tuple]]:
    """Decode one track chunk: (notes, others).

    notes: (tick, note, velocity, channel, is_on) for note numbers flagged in `wanted`
    (a 128-byte table); a note-on with velocity 0 is an end. others: (notes before it, tick,
    META or SYSEX, meta type or status byte, data) for meta and sysex events. Other channel
    events are skipped.
    """
    notes: list[tuple] = []
    others: list[tuple] = []
    at, end, tick, status = 0, len(track), 0, -1
    add_note = notes.append
    while at < end:
        byte = track[at]
        at += 1
        if byte < 0x80:
            tick += byte
        else:
            delta = byte & 0x7F
            while byte & 0x80 and at < end:
                byte = track[at]
                at += 1
                delta = (delta << 7) | (byte & 0x7F)
            tick += delta
        if at >= end:
            raise ChartParseError("A MIDI track ends in the middle of an event.")
        byte = track[at]
        if byte >= 0x80:
            if byte >= 0xF0:
                at = read_system_event(track, at, tick, len(notes), others)
                continue
            status = byte
            at += 1
        elif status < 0:
            raise ChartParseError("Running status byte encountered before status byte")
        if 0x80 <= status < 0xA0:
            note = track[at] if at < end else 0
            velocity = track[at + 1] if at + 1 < end else 0
            at += 2
            if note < 128 and wanted[note]:
                add_note((tick, note, velocity, status & 0x0F, status >= 0x90 and velocity > 0))
        else:
            at += 1 if 0xC0 <= status < 0xE0 else 2
    return notes, others


def read_system_event(track: bytes, at: int, tick: int, position: int, others: list) -> int:
    """Read a meta or sysex event starting at `at`; returns where the next event starts."""
    byte = track[at]
    if byte == 0xFF:
        kind = track[at + 1] if at + 1 < len(track) else 0
        length, at = read_varint(track, at + 2)
        _check_meta_length(kind, length)
        others.append((position, tick, META, kind, track[at : at + length]))
        return at + length
    if byte in (0xF0, 0xF7):
        length, at = read_varint(track, at + 1)
        others.append((position, tick, SYSEX, byte, track[at : at + length]))
        return at + length
    raise ChartParseError(f"Unrecognised MIDI event type byte: {byte}")


def start_metas(track: bytes) -> list[tuple[int, bytes]]:
    """(meta type, data) of the meta events at tick 0, read until the first later event."""
    metas = []
    at, end, status = 0, len(track), -1
    while at < end:
        delta, at = read_varint(track, at)
        if delta or at >= end:
            break
        byte = track[at]
        if byte >= 0xF0:
            others: list[tuple] = []
            at = read_system_event(track, at, 0, 0, others)
            if others[0][2] == META:
                metas.append((others[0][3], others[0][4]))
            continue
        if byte >= 0x80:
            status, at = byte, at + 1
        elif status < 0:
            raise ChartParseError("Running status byte encountered before status byte")
        at += _DATA_BYTES[status >> 4]
    return metas


def iter_events(track: bytes) -> Iterator[tuple[int, int, int, int, int | bytes]]:
    """Every note, meta and sysex event in order as (tick, kind, a, b, c).

    NOTE_ON/NOTE_OFF: a=note, b=velocity, c=channel. META: a=meta type, c=data.
    SYSEX: a=status byte (0xF0 or 0xF7), c=data.
    """
    notes, others = decode_track(track)
    position = 0
    for index, tick, kind, code, data in others:
        while position < index:
            yield _note_event(notes[position])
            position += 1
        yield tick, kind, code, 0, data
    for note in notes[position:]:
        yield _note_event(note)


def _note_event(note: tuple) -> tuple:
    tick, number, velocity, channel, is_on = note
    return tick, NOTE_ON if is_on else NOTE_OFF, number, velocity, channel


def read_varint(data: bytes, at: int) -> tuple[int, int]:
    """A variable-length quantity at `at`: (value, where the next byte is)."""
    value = 0
    while at < len(data):
        byte = data[at]
        at += 1
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            break
    return value, at


def _check_meta_length(kind: int, length: int) -> None:
    allowed = _META_LENGTHS.get(kind)
    if allowed is not None and length not in allowed:
        raise ChartParseError(f"Expected length for meta event {kind:#04x} is "
                              f"{' or '.join(map(str, allowed))}, got {length}")
