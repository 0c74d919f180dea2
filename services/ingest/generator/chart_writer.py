"""The chart as files: `notes.chart` text (ticks only, never milliseconds) and `song.ini`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .parts import Chart, Part

CHARTER = "Clone Hero Hub generator (auto-generated)"
LOADING_PHRASE = ("Auto-generated from the audio by Clone Hero Hub: no person charted this "
                  "song.")
DENSITY_STEPS = (1.5, 2.5, 3.5, 4.5, 6.0, 8.0)   # notes per second for difficulty 1..6


def notes_chart(chart: Chart, metadata: Mapping[str, str], audio_name: str) -> str:
    song = [f'Name = "{_quoted(metadata.get("name", ""))}"',
            f'Artist = "{_quoted(metadata.get("artist", ""))}"',
            f'Charter = "{CHARTER}"',
            f"Resolution = {chart.tempo_map.resolution}",
            "Offset = 0",
            f'MusicStream = "{audio_name}"']
    sync = [f"{tick} = TS {per_measure}" for tick, per_measure in chart.tempo_map.signatures]
    sync += [f"{tick} = B {milli_bpm}" for tick, milli_bpm in chart.tempo_map.tempos]
    sync.sort(key=lambda line: int(line.split(" ", 1)[0]))  # stable: TS before B at a tick
    events = [f'{tick} = E "section {_quoted(name)}"' for tick, name in chart.sections]
    if chart.end_tick is not None:
        events.append(f'{chart.end_tick} = E "end"')
    blocks = [_block("Song", song), _block("SyncTrack", sync), _block("Events", events)]
    blocks += [_block(f"{p.difficulty}{p.instrument}", _part_lines(p)) for p in chart.parts]
    return "".join(blocks)


def _part_lines(part: Part) -> list[str]:
    lines: list[tuple[int, int, str]] = []
    for note in part.notes:
        lines += [(note.tick, 0, f"{note.tick} = N {lane} {note.length if lane < 8 else 0}")
                  for lane in note.lanes]
    lines += [(tick, 1, f"{tick} = S 2 {length}") for tick, length in part.star_power]
    return [line for _, _, line in sorted(lines)]


def _block(name: str, lines: Sequence[str]) -> str:
    body = "".join(f"  {line}\n" for line in lines)
    return f"[{name}]\n{{\n{body}}}\n"


def _quoted(text: str) -> str:
    return text.replace('"', "'").replace("\n", " ").strip()


def song_ini(chart: Chart, metadata: Mapping[str, str], song_length_ms: int,
             preview_ms: int) -> str:
    values = {key: metadata[key] for key in ("name", "artist", "album", "genre", "year")
              if metadata.get(key)}
    values.update({
        "charter": CHARTER,
        "song_length": str(song_length_ms),
        "preview_start_time": str(preview_ms),
        "diff_guitar": str(_difficulty(chart, "Single", song_length_ms)),
        "diff_drums": str(_difficulty(chart, "Drums", song_length_ms)),
        "pro_drums": "True",
        "delay": "0",
        "loading_phrase": LOADING_PHRASE,
    })
    lines = [f"{key} = {_quoted(value)}" for key, value in values.items()]
    return "[song]\n" + "\n".join(lines) + "\n"


def _difficulty(chart: Chart, instrument: str, song_length_ms: int) -> int:
    """0 to 6 from how densely the Expert part is charted (-1 when there is no part)."""
    expert = next((p for p in chart.parts if p.instrument == instrument
                   and p.difficulty == "Expert"), None)
    if expert is None:
        return -1
    per_second = len(expert.notes) / max(song_length_ms / 1000, 1.0)
    return sum(per_second >= step for step in DENSITY_STEPS)
