"""Reading `.mid` charts into the common raw chart (scan-chart 8.0.1's midi-parser rules)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from .errors import ChartParseError
from .midifile import META, NO_NOTES, decode_track, read_midi, start_metas
from .midinotes import instrument_tracks
from .raw import RawChart
from .text import js_trim

INSTRUMENT_TRACKS = {
    "T1 GEMS": "guitar", "PART GUITAR": "guitar", "PART GUITAR COOP": "guitarcoop",
    "PART RHYTHM": "rhythm", "PART BASS": "bass", "PART DRUMS": "drums", "PART KEYS": "keys",
    "PART GUITAR GHL": "guitarghl", "PART GUITAR COOP GHL": "guitarcoopghl",
    "PART RHYTHM GHL": "rhythmghl", "PART BASS GHL": "bassghl",
}
KNOWN_TRACKS = frozenset((*INSTRUMENT_TRACKS, "PART VOCALS", "EVENTS"))
TEXT, TRACK_NAME, LYRIC, TEMPO, TIME_SIGNATURE = 0x01, 0x03, 0x05, 0x51, 0x58
# JavaScript's `$` without the m flag is the end of the text, so patterns are used with
# fullmatch; a section name stops before its first `]` (a name holding one is no section).
_SECTION = re.compile(r"\[?(?:section|prc)[ _]([^\]]*)\]?")
_VOCAL_NOTES = bytes(1 if 36 <= note <= 84 else 0 for note in range(128))
_END = re.compile(r"\[?end\]?")


def track_name(track: bytes) -> str | None:
    """The last known track name among the events at tick 0 (scan-chart's getTracks)."""
    name = None
    for meta, data in start_metas(track):
        if meta == TRACK_NAME and (text := data.decode("latin-1")) in KNOWN_TRACKS:
            name = text
    return name


def parse_midi(data: bytes, modifiers: Mapping[str, Any]) -> RawChart:
    """Read `.mid` bytes; raises ChartParseError when they are not a readable chart."""
    midi = read_midi(data)
    if midi.format != 1:
        raise ChartParseError(f'Invavlid .mid file: unsupported header format "{midi.format}"')
    if not midi.ticks_per_beat:
        raise ChartParseError("Invalid .mid file: resolution in ticks per SMPTE frame is not "
                              "supported")
    if not midi.tracks:
        raise ChartParseError("Invalid .mid file: no tracks detected")
    named = [(name, track) for track in midi.tracks if (name := track_name(track))]
    events_track = next((t for name, t in named if name == "EVENTS"), None)
    vocals_track = next((t for name, t in named if name == "PART VOCALS"), None)
    texts = _texts(events_track) if events_track is not None else []
    coda = next((tick for tick, text in texts if js_trim(text) in ("coda", "[coda]")), None)
    tempos, signatures = _tempo_map(midi.tracks[0])
    has_lyrics, has_vocals, lyrics = _vocals(vocals_track)
    tracks = []
    for name, track in named:
        if name in INSTRUMENT_TRACKS:
            tracks += instrument_tracks(track, INSTRUMENT_TRACKS[name], modifiers, coda)
    return RawChart(
        resolution=midi.ticks_per_beat, tempos=tempos, time_signatures=signatures,
        sections=[(tick, m.group(1)) for tick, text in texts
                  if (m := _SECTION.fullmatch(text))],
        end_events=[tick for tick, text in texts if _END.fullmatch(text)],
        tracks=tracks, metadata={}, has_lyrics=has_lyrics, has_vocals=has_vocals, lyrics=lyrics,
    )


def _texts(track: bytes) -> list[tuple[int, str]]:
    _, others = decode_track(track, NO_NOTES)
    return [(tick, data.decode("latin-1")) for _, tick, kind, meta, data in others
            if kind == META and meta == TEXT]


def _tempo_map(track: bytes) -> tuple[list[tuple[int, float]], list[tuple[int, int, int]]]:
    """Tempos and time signatures from the first track, with scan-chart's defaults and checks."""
    tempos, signatures = [], []
    for _, tick, kind, meta, data in decode_track(track, NO_NOTES)[1]:
        if kind != META:
            continue
        if meta == TEMPO:
            tempo = int.from_bytes(data, "big")
            tempos.append((tick, 60000000 / tempo if tempo else math.inf))
        elif meta == TIME_SIGNATURE:
            signatures.append((tick, data[0], _js_shift_one(data[1])))
    for tick, numerator, _ in signatures:
        if numerator == 0:
            raise ChartParseError(
                f"Invalid .mid file: Time signature numerator at tick {tick} was zero.")
    if not tempos or tempos[0][0] != 0:
        tempos.insert(0, (0, 120.0))
    if not signatures or signatures[0][0] != 0:
        signatures.insert(0, (0, 4, 4))
    return tempos, signatures


def _js_shift_one(bits: int) -> int:
    """JavaScript's `1 << bits` (32-bit, shift count taken modulo 32)."""
    value = 1 << (bits & 31)
    return value - (1 << 32) if value >= 1 << 31 else value


def _vocals(track: bytes | None) -> tuple[bool, bool, list[tuple[int, str]]]:
    """(has lyrics, has vocal notes, lyric texts) of PART VOCALS."""
    if track is None:
        return False, False, []
    notes, others = decode_track(track, _VOCAL_NOTES)
    lyrics = [(tick, data.decode("latin-1")) for _, tick, kind, meta, data in others
              if kind == META and meta == LYRIC]
    has_lyrics = any(kind == META and meta in (TEXT, LYRIC) for _, _, kind, meta, _ in others)
    return has_lyrics, any(note[4] for note in notes), lyrics

