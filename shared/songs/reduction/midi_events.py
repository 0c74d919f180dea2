"""A `.mid` track chunk as timed raw events, and back: lets new notes be merged into one track
while every other byte of the file, and every event of the track, stays as it was read."""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import ChartParseError
from ..midifile import read_varint

END_OF_TRACK = b"\xff\x2f\x00"


def split_track(track: bytes) -> list[tuple[int, bytes]]:
    """(absolute tick, event bytes with an explicit status byte) for every event of a chunk."""
    events: list[tuple[int, bytes]] = []
    at, end, tick, status = 0, len(track), 0, -1
    while at < end:
        delta, at = read_varint(track, at)
        tick += delta
        if at >= end:
            raise ChartParseError("A MIDI track ends in the middle of an event.")
        byte = track[at]
        if byte == 0xFF:
            length, data_at = read_varint(track, at + 2)
            events.append((tick, track[at:data_at + length]))
            at = data_at + length
        elif byte in (0xF0, 0xF7):
            length, data_at = read_varint(track, at + 1)
            events.append((tick, track[at:data_at + length]))
            at = data_at + length
        else:
            if byte >= 0x80:
                status, at = byte, at + 1
            elif status < 0:
                raise ChartParseError("Running status byte encountered before status byte")
            size = 1 if 0xC0 <= status < 0xE0 else 2
            events.append((tick, bytes([status]) + track[at:at + size]))
            at += size
    return events


def join_track(events: Iterable[tuple[int, bytes]]) -> bytes:
    """A track chunk's body from (absolute tick, event bytes) in order; one end-of-track last."""
    body, last = bytearray(), 0
    for tick, event in events:
        if event == END_OF_TRACK:
            continue
        body += _varint(tick - last) + event
        last = tick
    return bytes(body + _varint(0) + END_OF_TRACK)


def replace_tracks(data: bytes, bodies: dict[int, bytes]) -> bytes:
    """The file with track chunk `index` (0-based) replaced by `bodies[index]`."""
    header_length = int.from_bytes(data[4:8], "big")
    out = bytearray(data[:8 + header_length])
    at, index = 8 + header_length, 0
    while at + 8 <= len(data) and data[at:at + 4] == b"MTrk":
        length = int.from_bytes(data[at + 4:at + 8], "big")
        body = bodies.get(index, data[at + 8:at + 8 + length])
        out += b"MTrk" + len(body).to_bytes(4, "big") + body
        at, index = at + 8 + length, index + 1
    return bytes(out + data[at:])


def note_on(pitch: int, velocity: int) -> bytes:
    """A note-on on channel 1."""
    return bytes([0x90, pitch, velocity])


def note_off(pitch: int) -> bytes:
    """A note-off on channel 1."""
    return bytes([0x80, pitch, 0])


def sysex(data: bytes) -> bytes:
    """A complete sysex event (F0, length, data, F7)."""
    return b"\xf0" + _varint(len(data) + 1) + data + b"\xf7"


def _varint(value: int) -> bytes:
    out = [value & 0x7F]
    value >>= 7
    while value:
        out.append(0x80 | (value & 0x7F))
        value >>= 7
    return bytes(reversed(out))
