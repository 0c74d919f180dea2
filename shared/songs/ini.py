"""Reading `song.ini`: sections and keys, then scan-chart's typed song metadata.

Keys are matched case-insensitively (lowercased, as YARG does); scan-chart 8.0.1 matches them
case-sensitively, so `Name = x` is read here and ignored there. Lines starting with `;` or `#`
are comments. Text is decoded by `text.decode_text` (UTF-16 with BOM, UTF-8, else Latin-1).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from .issues import FolderIssue, MetadataIssue
from .text import decode_text, js_parse_float, js_round, js_str, js_trim, strip_style_tags, truncate

STRING_DEFAULTS = {
    "name": "Unknown Name", "artist": "Unknown Artist", "album": "Unknown Album",
    "genre": "Unknown Genre", "year": "Unknown Year", "charter": "Unknown Charter",
    "icon": "", "loading_phrase": "",
}
INTEGER_DEFAULTS = {
    "song_length": 0, "diff_band": -1, "diff_guitar": -1, "diff_guitar_coop": -1,
    "diff_rhythm": -1, "diff_bass": -1, "diff_drums": -1, "diff_drums_real": -1,
    "diff_keys": -1, "diff_guitarghl": -1, "diff_guitar_coop_ghl": -1, "diff_rhythm_ghl": -1,
    "diff_bassghl": -1, "diff_vocals": -1, "preview_start_time": -1, "album_track": 16000,
    "playlist_track": 16000, "delay": 0, "hopo_frequency": 0, "multiplier_note": 0,
    "sustain_cutoff_threshold": -1, "chord_snap_threshold": 0, "video_start_time": 0,
}
BOOLEAN_DEFAULTS = {
    "modchart": False, "eighthnote_hopo": False, "five_lane_drums": False,
    "pro_drums": False, "end_events": True,
}
DEFAULT_METADATA = MappingProxyType({**STRING_DEFAULTS, **INTEGER_DEFAULTS, **BOOLEAN_DEFAULTS})
LEGACY_KEYS = {
    "charter": "frets", "album_track": "track", "hopo_frequency": "hopofreq",
    "multiplier_note": "star_power_note",
}
REQUIRED_KEYS = ("name", "artist", "album", "genre", "year", "charter")
_SECTION = re.compile(r"\[(.+)]$")


@dataclass(frozen=True)
class IniFile:
    """A parsed ini: lowercased section name -> lowercased key -> raw value (last one wins)."""

    sections: Mapping[str, Mapping[str, str]]
    issues: tuple[FolderIssue, ...] = ()

    @property
    def song(self) -> Mapping[str, str] | None:
        """The `[song]` section (any case), or None."""
        return self.sections.get("song")


@dataclass(frozen=True)
class SongMetadata:
    """scan-chart's typed metadata (defaults filled in) plus every raw key of `[song]`."""

    values: Mapping[str, object]
    raw: Mapping[str, str] = field(default_factory=dict)
    issues: tuple[MetadataIssue, ...] = ()

    def __getitem__(self, key: str) -> object:
        return self.values[key]


def parse_ini(data: bytes) -> IniFile:
    """Parse ini bytes; unreadable lines become `badIniLine` issues (the last five are kept)."""
    sections: dict[str, dict[str, str]] = {}
    bad: list[FolderIssue] = []
    current = ""
    for raw_line in re.split(r"\r?\n", decode_text(data)):
        line = js_trim(raw_line)
        if not line or line[0] in ";#":
            continue
        if line[0] == "[":
            match = _SECTION.search(line)
            if match:
                current = js_trim(match.group(1)).lower()
                continue
        elif "=" in line:
            key, _, value = line.partition("=")
            sections.setdefault(current, {})[js_trim(key).lower()] = js_trim(value)
            continue
        text = f'Unsupported type of line: "{truncate(line)}"'
        bad.append(FolderIssue("badIniLine", text))
    frozen = {name: MappingProxyType(keys) for name, keys in sections.items()}
    return IniFile(MappingProxyType(frozen), tuple(bad[-5:]))


def _string(section: Mapping[str, str], key: str) -> str:
    for name in (key, LEGACY_KEYS.get(key)):
        value = section.get(name) if name else None
        if value and value not in ("0", "-1"):
            return strip_style_tags(value)
    return STRING_DEFAULTS[key]


def _number(section: Mapping[str, str], key: str) -> float:
    for name in (key, LEGACY_KEYS.get(key)):
        value = js_parse_float(section.get(name)) if name else math.nan
        if not math.isnan(value) and value != -1:
            return value
    return INTEGER_DEFAULTS[key]


def _boolean(section: Mapping[str, str], key: str) -> bool:
    value = section.get(key)
    if value in ("True", "1"):
        return True
    if value in ("False", "0"):
        return False
    return BOOLEAN_DEFAULTS[key]


def read_metadata(section: Mapping[str, str]) -> SongMetadata:
    """Typed metadata from a `[song]` section, with scan-chart's metadata issues."""
    values: dict[str, object] = {key: _string(section, key) for key in STRING_DEFAULTS}
    issues: list[MetadataIssue] = []
    for key in INTEGER_DEFAULTS:
        number = _number(section, key)
        if not float(number).is_integer():
            issues.append(MetadataIssue("invalidValue", f'The "{key}" value in "song.ini" is '
                                        f'"{js_str(number)}", which is not an integer.'))
            number = js_round(number)
        values[key] = int(number) if math.isfinite(number) else number
    values.update({key: _boolean(section, key) for key in BOOLEAN_DEFAULTS})
    values["icon"] = str(values["icon"]).lower()
    if values["icon"] == str(values["charter"]).lower():
        values["icon"] = ""
    issues += [
        MetadataIssue("missingValue", f'Metadata is missing the "{key}" property.')
        for key in REQUIRED_KEYS if values[key] == STRING_DEFAULTS[key]
    ]
    if values["multiplier_note"] not in (0, 103, 116):
        shown = js_str(values["multiplier_note"])
        issues.append(MetadataIssue("invalidValue", 'The "multiplier_note" value in "song.ini" '
                                    f'is "{shown}", which is not a valid value.'))
        values["multiplier_note"] = 0
    if values["pro_drums"] and values["five_lane_drums"]:
        issues.append(MetadataIssue("invalidValue", 'Metadata contains both the "pro_drums" and '
                                    '"five_lane_drums" properties, which is not supported.'))
    return SongMetadata(MappingProxyType(values), MappingProxyType(dict(section)), tuple(issues))


def display_text(value: str) -> str:
    """A metadata string as shown to people: rich-text tags removed."""
    return strip_style_tags(value)
