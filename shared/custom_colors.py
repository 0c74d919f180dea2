"""Clone Hero color profiles (`Custom/Colors/*.ini`): `[guitar]`, `[drums]`, `[sixfret]` and
`[other]` sections of `key = #RRGGBB` lines.

A key names a part and ends with the lane it colors (`note_green`, `hopo_red`, `cymbal_blue`);
`[other]` holds colors of no lane. Clone Hero skips what it does not know, so unknown sections
and keys are warnings; a color it cannot read, or a file with no known section, is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LANES = {
    "guitar": ("green", "red", "yellow", "blue", "orange", "open"),
    "drums": ("kick", "red", "yellow", "blue", "orange", "green"),
    "sixfret": ("black", "white", "open", "barre"),
    "other": (),
}
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
MAX_REPORTED = 10


class ColorProfileError(ValueError):
    """The profile cannot be used; the message lists what is wrong."""


@dataclass(frozen=True)
class ColorProfile:
    colors: tuple[tuple[str, str, str], ...]  # (section, key, #RRGGBB) in file order
    warnings: tuple[str, ...]


def read_color_profile(data: bytes) -> ColorProfile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ColorProfileError("the file is not UTF-8 text.") from None
    colors: list[tuple[str, str, str]] = []
    errors: list[str] = []
    notes: list[str] = []
    section: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith((";", "//")):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            if section not in LANES:
                notes.append(f"line {number}: unknown section [{section}] is ignored")
            continue
        key, equals, value = (part.strip() for part in line.partition("="))
        if not equals or section is None:
            errors.append(f"line {number}: expected [section] or key = #RRGGBB")
        elif section in LANES:
            _entry(section, key.lower(), value, number, colors, errors, notes)
    if not errors and not colors:
        errors.append("no color in a [guitar], [drums], [sixfret] or [other] section")
    if errors:
        raise ColorProfileError(_summary(errors))
    return ColorProfile(tuple(colors), tuple(notes))


def _entry(section: str, key: str, value: str, number: int,
           colors: list[tuple[str, str, str]], errors: list[str], notes: list[str]) -> None:
    if not _COLOR.fullmatch(value):
        errors.append(f"line {number}: {key} = {value or '(empty)'} is not a #RRGGBB color")
    elif not _known(section, key):
        notes.append(f"line {number}: unknown key {key} in [{section}] is ignored")
    else:
        colors.append((section, key, value.upper()))


def _known(section: str, key: str) -> bool:
    if not _KEY.fullmatch(key):
        return False
    lanes = LANES[section]
    return not lanes or any(key == lane or key.endswith(f"_{lane}") for lane in lanes)


def _summary(errors: list[str]) -> str:
    shown = errors[:MAX_REPORTED]
    more = len(errors) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more else "") + "."
