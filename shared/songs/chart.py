"""Reading `.chart` text into the common raw chart (scan-chart 8.0.1's chart-parser rules)."""

from __future__ import annotations

import math
import re
from operator import itemgetter

from . import events as ev
from .errors import ChartParseError
from .raw import Phrase, RawChart, RawTrack
from .text import decode_text, js_number_parse, js_trim

_DIFFICULTY_PREFIXES = {"Expert": "expert", "Hard": "hard", "Medium": "medium", "Easy": "easy"}
_INSTRUMENT_SUFFIXES = {
    "Single": "guitar", "DoubleGuitar": "guitarcoop", "DoubleRhythm": "rhythm",
    "DoubleBass": "bass", "Drums": "drums", "Keyboard": "keys", "GHLGuitar": "guitarghl",
    "GHLCoop": "guitarcoopghl", "GHLRhythm": "rhythmghl", "GHLBass": "bassghl",
}
TRACK_NAMES = {
    prefix + suffix: (instrument, difficulty)
    for suffix, instrument in _INSTRUMENT_SUFFIXES.items()
    for prefix, difficulty in _DIFFICULTY_PREFIXES.items()
}
_FIVE_FRET_NOTES = {"0": ev.GREEN, "1": ev.RED, "2": ev.YELLOW, "3": ev.BLUE, "4": ev.ORANGE,
                    "5": ev.FORCE_UNNATURAL, "6": ev.FORCE_TAP, "7": ev.OPEN}
_SIX_FRET_NOTES = {"0": ev.WHITE1, "1": ev.WHITE2, "2": ev.WHITE3, "3": ev.BLACK1, "4": ev.BLACK2,
                   "5": ev.FORCE_UNNATURAL, "6": ev.FORCE_TAP, "7": ev.OPEN, "8": ev.BLACK3}
_DRUM_NOTES = {
    "0": ev.KICK, "1": ev.RED_DRUM, "2": ev.YELLOW_DRUM, "3": ev.BLUE_DRUM,
    "4": ev.FIVE_ORANGE_FOUR_GREEN_DRUM, "5": ev.FIVE_GREEN_DRUM, "32": ev.KICK_2X,
    "34": ev.RED_ACCENT, "35": ev.YELLOW_ACCENT, "36": ev.BLUE_ACCENT,
    "37": ev.FIVE_ORANGE_FOUR_GREEN_ACCENT, "38": ev.FIVE_GREEN_ACCENT,
    "40": ev.RED_GHOST, "41": ev.YELLOW_GHOST, "42": ev.BLUE_GHOST,
    "43": ev.FIVE_ORANGE_FOUR_GREEN_GHOST, "44": ev.FIVE_GREEN_GHOST,
    "66": ev.YELLOW_CYMBAL_MARKER, "67": ev.BLUE_CYMBAL_MARKER, "68": ev.GREEN_CYMBAL_MARKER,
}
_SPECIALS = {"2": ev.STAR_POWER, "64": ev.FREESTYLE_SECTION, "65": ev.FLEX_LANE_SINGLE,
             "66": ev.FLEX_LANE_DOUBLE}
_DIFFICULTY_INDEX = ("easy", "medium", "hard", "expert")
_BY_TICK = itemgetter(0)
_PHRASE_KINDS = frozenset((ev.STAR_POWER, ev.SOLO_START, ev.SOLO_END, ev.FLEX_LANE_SINGLE,
                           ev.FLEX_LANE_DOUBLE, ev.FREESTYLE_SECTION))

_TOKEN = re.compile(r"[=\n{}\[]")
# Lines the section scanner ignores: no `{`, `}` or `[` before their first `=`.
_PLAIN_LINES = re.compile(r"(?:[^=\n{}\[]*(?:=[^\n]*)?\n)*")
# Track lines as scan-chart matches a trimmed line: `tick = CODE value [length]`. Note lines
# ("N") have their own faster pattern; it accepts exactly the note lines the general one does.
_NOTE_LINE = re.compile(r"^[ \t\r\f\v]*(\d+) = N (\d+)(?: (\d+))?[ \t\r\f\v]*$",
                        re.ASCII | re.MULTILINE)
_OTHER_LINE = re.compile(
    r"^[ \t\r\f\v]*(\d+) = ((?!N )[A-Z]+) ([\w \t\r\f\v\[\]]+?)( \d+)?[ \t\r\f\v]*$",
    re.ASCII | re.MULTILINE)
_SONG_LINE = re.compile(r'^(.+?) = "?(.*?)"?$', re.DOTALL)
_TEMPO = re.compile(r"^(\d+) = B (\d+)$")
_TIME_SIGNATURE = re.compile(r"^(\d+) = TS (\d+)(?: (\d+))?$")
_SECTION = re.compile(r'^(\d+) = E "\[?(?:section|prc)[ _](.*?)\]?"$', re.DOTALL)
_END = re.compile(r'^(\d+) = E "\[?end\]?"$')
_CODA = re.compile(r'^(\d+) = E "\s*\[?coda\]?\s*"$')
_LYRIC = re.compile(r'^(\d+) = E "lyric (.*)"$')
_DISCO = re.compile(r"^\s*\[?mix[ _]([0-3])[ _]drums([0-5])(d|dnoflip|easy|easynokick|)\]?\s*$")


def file_sections(text: str) -> dict[str, str]:
    """Section name -> its body text (scan-chart's getFileSections scanner)."""
    sections: dict[str, str] = {}
    name: str | None = None
    start = at = 0
    while (match := _TOKEN.search(text, _PLAIN_LINES.match(text, at).end())) is not None:
        char, at = match.group(), match.start()
        if char == "[":
            start = at + 1
            close, newline = text.find("]", at + 1), text.find("\n", at + 1)
            if newline != -1 and (close == -1 or newline < close):
                raise ChartParseError(
                    f"unexpected new line when parsing section at index {newline}",
                    location=f"character {newline}")
            if close == -1:
                break
            name, at = text[at + 1 : close], close + 1
        elif char == "}":
            if not name:
                raise ChartParseError(
                    f"end of section reached before a section name was found at index {at}",
                    location=f"character {at}")
            sections[name] = text[start:at]
            at += 1
        else:
            if char == "{":
                start = at + 1
            if char != "\n":
                at = text.find("\n", at)
                if at == -1:
                    break
            at += 1
    return sections


def parse_chart(data: bytes) -> RawChart:
    """Read `.chart` bytes; raises ChartParseError when they are not a readable chart."""
    sections = {name: body for name, body in file_sections(decode_text(data)).items()}
    if not sections:
        raise ChartParseError("Invalid .chart file: no sections were found.")
    song = {}
    for line in _lines(sections.get("Song", "")):
        if match := _SONG_LINE.match(line):
            song[match.group(1)] = match.group(2)
    resolution = js_number_parse(song.get("Resolution"))
    if not resolution or math.isnan(resolution):
        raise ChartParseError("Invalid .chart file: resolution not found.")
    events_lines = _lines(sections.get("Events", ""))
    coda = next((int(m.group(1)) for line in events_lines if (m := _CODA.match(line))), None)
    sync = _lines(sections.get("SyncTrack", ""))
    return RawChart(
        resolution=int(resolution) if float(resolution).is_integer() else resolution,
        tempos=_tempos(sync), time_signatures=_time_signatures(sync),
        sections=[(int(m.group(1)), m.group(2)) for line in events_lines
                  if (m := _SECTION.match(line))],
        end_events=[int(m.group(1)) for line in events_lines if (m := _END.match(line))],
        tracks=[_track(name, sections[name], coda) for name in TRACK_NAMES if name in sections],
        metadata=_metadata(song),
        has_lyrics=any('"lyric ' in line for line in events_lines),
        lyrics=[(int(m.group(1)), m.group(2)) for line in events_lines
                if (m := _LYRIC.match(line))],
    )


def _lines(body: str) -> list[str]:
    """A section's trimmed, non-empty lines."""
    return [line for line in map(js_trim, body.split("\n")) if line]


def _metadata(song: dict[str, str]) -> dict:
    """The [Song] values scan-chart uses as metadata when there is no song.ini."""
    def number(key: str) -> float:
        value = js_number_parse(song.get(key))
        return 0 if math.isnan(value) else value

    year = song.get("Year")
    return {
        "name": song.get("Name") or None, "artist": song.get("Artist") or None,
        "album": song.get("Album") or None, "genre": song.get("Genre") or None,
        "year": (year[2:] if year else None) or None, "charter": song.get("Charter") or None,
        "diff_guitar": number("Difficulty") or None,
        "delay": number("Offset") * 1000 if number("Offset") else None,
        "preview_start_time": number("PreviewStart") * 1000 if number("PreviewStart") else None,
    }


def _tempos(lines: list[str]) -> list[tuple[int, float]]:
    tempos = [(int(m.group(1)), int(m.group(2)) / 1000) for line in lines
              if (m := _TEMPO.match(line))]
    for tick, bpm in tempos:
        if bpm == 0:
            raise ChartParseError(f"Invalid .chart file: Tempo at tick {tick} was zero.")
    if not tempos or tempos[0][0] != 0:
        tempos.insert(0, (0, 120.0))
    return tempos


def _time_signatures(lines: list[str]) -> list[tuple[int, int, int]]:
    signatures = []
    for line in lines:
        if match := _TIME_SIGNATURE.match(line):
            exponent = int(match.group(3)) if match.group(3) else 2
            denominator = 2**exponent if exponent < 1024 else math.inf
            signatures.append((int(match.group(1)), int(match.group(2)), denominator))
    for tick, numerator, denominator in signatures:
        if numerator == 0:
            raise ChartParseError(
                f"Invalid .mid file: Time signature numerator at tick {tick} was zero.")
        if denominator == 0:
            raise ChartParseError(
                f"Invalid .mid file: Time signature denominator at tick {tick} was zero.")
    if not signatures or signatures[0][0] != 0:
        signatures.insert(0, (0, 4, 4))
    return signatures


def _event_type(code: str, value: str, instrument: str, difficulty: str) -> int | None:
    if code == "N":
        if instrument == "drums":
            return _DRUM_NOTES.get(value)
        return (_SIX_FRET_NOTES if instrument in ev.SIX_FRET else _FIVE_FRET_NOTES).get(value)
    if code == "S":
        return _SPECIALS.get(value)
    if code == "E":
        if value == "solo":
            return ev.SOLO_START
        if value == "soloend":
            return ev.SOLO_END
        match = _DISCO.match(value)
        if (match and match.group(3) in ("", "d", "dnoflip")
                and _DIFFICULTY_INDEX[int(match.group(1))] == difficulty):
            return {"": ev.DISCO_FLIP_OFF, "d": ev.DISCO_FLIP_ON}.get(match.group(3),
                                                                     ev.DISCO_NO_FLIP_ON)
    return None


def _track(name: str, body: str, coda: int | None) -> RawTrack:
    instrument, difficulty = TRACK_NAMES[name]
    notes = _NOTE_TABLES.get(instrument, _FIVE_FRET_NOTES)
    found = [[int(tick), int(length) if length else 0, notes[value]]
             for tick, value, length in _NOTE_LINE.findall(body) if value in notes]
    specials = []
    for tick, code, value, length in _OTHER_LINE.findall(body):
        if (kind := _event_type(code, value, instrument, difficulty)) is not None:
            target = specials if kind in _PHRASE_KINDS else found
            target.append([int(tick), int(length) if length else 0, kind])
    found.sort(key=_BY_TICK)
    specials.sort(key=_BY_TICK)
    track = RawTrack(instrument, difficulty, found)
    _merge_solos(specials, track)
    for tick, length, kind in specials:
        if kind == ev.STAR_POWER:
            track.star_power.append(Phrase(tick, length))
        elif kind in (ev.FLEX_LANE_SINGLE, ev.FLEX_LANE_DOUBLE):
            track.flex_lanes.append(Phrase(tick, length, kind == ev.FLEX_LANE_DOUBLE))
        elif kind == ev.FREESTYLE_SECTION:
            track.freestyle_sections.append(Phrase(tick, length, coda is not None and tick >= coda))
    return track


def _merge_solos(found: list[list[int]], track: RawTrack) -> None:
    """Pair `solo`/`soloend`; the end tick is inside the solo, so the length gets one more tick."""
    open_solos: list[list[int]] = []
    for event in found:
        if event[2] == ev.SOLO_START:
            open_solos.append(event)
        elif event[2] == ev.SOLO_END and open_solos:
            start = open_solos.pop()
            start[2], start[1] = ev.SOLO_SECTION, event[0] - start[0] + 1
    track.solo_sections.extend(Phrase(e[0], e[1]) for e in found if e[2] == ev.SOLO_SECTION)


_NOTE_TABLES = {"drums": _DRUM_NOTES, **{name: _SIX_FRET_NOTES for name in ev.SIX_FRET}}
