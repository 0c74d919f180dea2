"""A song folder's files with lower difficulties generated, marked in song.ini, and back again.

Consumes a folder's files (name -> bytes); emits the files to store as the song's next
revision, or None when there is nothing to change. The marker is a song.ini key naming the
instruments whose Hard, Medium and Easy were generated (a folder without a song.ini gets none:
writing one would hide the .chart's own metadata); the same key tells the reversal what to take
out. Raises ChartParseError for a chart that cannot be read.
"""

from __future__ import annotations

from collections.abc import Mapping

from .. import folder
from ..ini import DEFAULT_METADATA, parse_ini, read_metadata
from ..ini_edit import apply_ini_changes
from .generate import generate_lower_difficulties
from .removal import remove_generated

GENERATED_KEY = "generated_difficulties"


def with_generated_difficulties(files: Mapping[str, bytes]) -> dict[str, bytes] | None:
    """The files with Hard, Medium and Easy generated for each Expert-only part."""
    names = folder.ordered_names(files)
    chart, ini = folder.pick_chart(names).name, folder.pick_ini(names).name
    if chart is None:
        return None
    section = parse_ini(files[ini]).song if ini else None
    modifiers = read_metadata(section).values if section is not None else DEFAULT_METADATA
    result = generate_lower_difficulties(files[chart], folder.extension(chart).lower(),
                                         modifiers)
    if not result.parts:
        return None
    changed = {**files, chart: result.data}
    if ini is not None:
        already = generated_instruments(files)
        marked = ",".join(dict.fromkeys([*already, *result.instruments]))
        changed[ini] = apply_ini_changes(files[ini], {GENERATED_KEY: marked})
    return changed


def without_generated_difficulties(files: Mapping[str, bytes]) -> dict[str, bytes] | None:
    """The files with the difficulties song.ini marks as generated taken out again."""
    instruments = generated_instruments(files)
    names = folder.ordered_names(files)
    chart, ini = folder.pick_chart(names).name, folder.pick_ini(names).name
    if not instruments or chart is None or ini is None:
        return None
    data = remove_generated(files[chart], folder.extension(chart).lower(), instruments)
    return {**files, chart: data, ini: apply_ini_changes(files[ini], {GENERATED_KEY: None})}


def generated_instruments(files: Mapping[str, bytes]) -> list[str]:
    """The instruments song.ini marks as having generated lower difficulties."""
    ini = folder.pick_ini(folder.ordered_names(files)).name
    section = parse_ini(files[ini]).song if ini else None
    value = (section or {}).get(GENERATED_KEY, "")
    return [name.strip() for name in value.split(",") if name.strip()]
