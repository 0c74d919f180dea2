"""Clone Hero color profiles (`Custom/Colors/*.ini`): `[guitar]`, `[drums]`, `[sixfret]` and
`[other]` sections of `key = #RRGGBB` lines.

The keys are those of the game's own profile editor and default profile (`note_green`,
`sustain_sp_active`, `cym_yellow`, `tom_anim_blue`, `sf_note_black_left`, `combo_four_glow`,
...; see KEYS). Clone Hero skips what it does not know, so unknown sections and keys are
warnings; a color it cannot read, or a file with no known section, is an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SP = ("sp_phrase", "sp_phrase_active", "sp_active")
FRETS = ("green", "red", "yellow", "blue", "orange")
PADS = ("red", "yellow", "blue", "green")
SIX_FRETS = ("black_left", "black_mid", "black_right", "white_left", "white_mid", "white_right")
KEYS: dict[str, frozenset[str]] = {
    "guitar": frozenset(
        [f"{part}_{lane}" for part in ("note", "note_anim", "sustain") for lane in (*FRETS, "open")]
        + [f"{part}_{sp}" for part in ("note", "note_anim", "sustain") for sp in SP]
        + [f"striker_{part}_{fret}" for part in ("base", "head_cover", "cover") for fret in FRETS]
        + [f"striker_head_light_{lane}" for lane in (*FRETS, "open")]),
    "drums": frozenset(
        ["note_kick", "note_anim_kick", "note_overlay_kick_sp_phrase"]
        + [f"{part}_kick_{sp}" for part in ("note", "note_anim") for sp in SP]
        + [f"{part}_{pad}" for part in ("cym", "cym_anim", "tom", "tom_anim") for pad in PADS]
        + [f"{part}_{sp}" for part in ("cym", "cym_anim", "tom", "tom_anim") for sp in SP]
        + [f"drums_striker_{part}_{pad}" for part in ("base", "head_cover", "cover")
           for pad in PADS]
        + [f"drums_striker_head_light_{pad}" for pad in ("kick", *PADS)]),
    "sixfret": frozenset(
        [f"sf_note_{fret}" for fret in (*SIX_FRETS, "open", "hopo")]
        + [f"sf_note_tap_{fret}" for fret in (*SIX_FRETS, "open")]
        + [f"sf_sustain_{lane}" for lane in ("left", "mid", "right", "open")]
        + [f"sf_{part}_{sp}" for part in ("note", "sustain") for sp in SP]
        + [f"sf_striker_base_{fret}" for fret in SIX_FRETS]),
    "other": frozenset(
        ["combo_one", "combo_two", "combo_three", "combo_four", "combo_sp_active",
         "combo_two_glow", "combo_three_glow", "combo_four_glow", "combo_sp_active_glow",
         "striker_hit_particles", "striker_hit_particles_sp_active", "striker_hit_flame",
         "striker_hit_flame_sp_active", "striker_hit_flame_kick", "striker_hit_flame_open",
         "striker_hold_spark", "striker_hold_spark_sp_active", "general_sp", "general_sp_active",
         "sp_bar_color", "sp_bar_elec", "sp_bar_arrow", "sp_act_flash", "sp_act_animation"]),
}
_COLOR = re.compile(r"#[0-9A-Fa-f]{6}")
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
            if section not in KEYS:
                notes.append(f"line {number}: unknown section [{section}] is ignored")
            continue
        key, equals, value = (part.strip() for part in line.partition("="))
        if not equals or section is None:
            errors.append(f"line {number}: expected [section] or key = #RRGGBB")
        elif section in KEYS:
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
    elif key not in KEYS[section]:
        notes.append(f"line {number}: unknown key {key} in [{section}] is ignored")
    else:
        colors.append((section, key, value.upper()))


def _summary(errors: list[str]) -> str:
    shown = errors[:MAX_REPORTED]
    more = len(errors) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more else "") + "."
