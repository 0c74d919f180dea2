"""scan-chart's per-track hash: a binary chart ("bchart") of one track, hashed with BLAKE3."""

from __future__ import annotations

import struct
from bisect import bisect_left
from itertools import chain, starmap

from .hashes import blake3_base64url
from .raw import Phrase
from .tracks import ParsedChart, Track

_MAGIC = struct.pack(">I", 0x43484E46)  # "CHNF", the only big-endian field
_VERSION = 20240320


def prune_empty_phrases(phrases: list[Phrase], ticks: list[int]) -> list[Phrase]:
    """Phrases that contain at least one note group (a zero-length phrase covers one tick).

    `ticks` are the note groups' ticks; like scan-chart, the search only moves forward.
    """
    kept = []
    index, count = 0, len(ticks)
    for phrase in phrases:
        index = bisect_left(ticks, phrase.tick, index)
        if index < count and ticks[index] < phrase.tick + (phrase.length or 1):
            kept.append(phrase)
    return kept


def _last_per_tick(items: list) -> list:
    """Items sorted by tick, keeping only the last one given for each tick."""
    by_tick = {}
    for item in sorted(items, key=lambda i: i.tick):
        by_tick[item.tick] = item
    return list(by_tick.values())


def _u32(value) -> int:
    return int(value) & 0xFFFFFFFF if value == value and abs(value) != float("inf") else 0


def _tempo_map_part(chart: ParsedChart) -> bytes:
    tempos = _last_per_tick(chart.tempos)
    signatures = _last_per_tick(chart.time_signatures)
    parts = [_MAGIC, struct.pack("<III", _VERSION, _u32(chart.resolution), len(tempos))]
    parts += [_pack("<qd", t.tick, t.bpm) for t in tempos]
    parts.append(struct.pack("<I", len(signatures)))
    parts += [_pack("<qII", s.tick, _u32(s.numerator), _u32(s.denominator))
              for s in signatures]
    return b"".join(parts)


def track_bchart(chart: ParsedChart, track: Track, tempo_part: bytes | None = None) -> bytes:
    """The binary representation scan-chart hashes for one track."""
    parts = [tempo_part if tempo_part is not None else _tempo_map_part(chart)]
    for phrases in (track.star_power, track.solo_sections):
        kept = prune_empty_phrases(phrases, track.ticks)
        parts.append(struct.pack("<I", len(kept)))
        parts += [_pack("<qq", p.tick, p.length) for p in kept]
    lanes = prune_empty_phrases(track.flex_lanes, track.ticks)
    parts.append(struct.pack("<I", len(lanes)))
    parts += [_pack("<qqB", p.tick, p.length, p.flag) for p in lanes]
    parts.append(struct.pack("<i", len(track.freestyle_sections)))
    parts += [_pack("<qqB", p.tick, p.length, p.flag) for p in track.freestyle_sections]
    parts.append(_notes_part(track))
    return b"".join(parts)


_NOTE = struct.Struct("<qqII")


def _notes_part(track: Track) -> bytes:
    """Note count, then (tick: i64, length: i64, type: u32, flags: u32) per note."""
    notes = list(chain.from_iterable(track.groups))
    try:  # each note is [tick, length, type, flags]: packed without a Python-level loop
        return struct.pack("<i", len(notes)) + b"".join(starmap(_NOTE.pack, notes))
    except struct.error:
        return _pack(f"<i{'qqII' * len(notes)}", len(notes), *chain.from_iterable(notes))


def _pack(layout: str, *values: int) -> bytes:
    """struct.pack, wrapping out-of-range integers the way DataView setters do."""
    try:
        return struct.pack(layout, *values)
    except struct.error:
        wrapped = [_wrap(code, v) for code, v in zip(_codes(layout), values, strict=True)]
        return struct.pack(layout, *wrapped)


def _codes(layout: str) -> list[str]:
    return [code for code in layout if code.isalpha()]


def _wrap(code: str, value) -> int | float:
    if code == "d":
        return value
    bits = {"q": 64, "i": 32, "I": 32, "B": 8}[code]
    number = int(value) if value == value and abs(value) != float("inf") else 0
    number &= (1 << bits) - 1
    if code in "qi" and number >= 1 << (bits - 1):
        number -= 1 << bits
    return number


def track_hashes(chart: ParsedChart) -> list[str]:
    """scan-chart's `trackHashes[].hash` for every track, in track order."""
    tempo_part = _tempo_map_part(chart)
    return [blake3_base64url(track_bchart(chart, t, tempo_part)) for t in chart.tracks]
