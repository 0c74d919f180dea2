"""Random small chart folders (a .chart or .mid, usually a song.ini) that exercise what a
scanner reads: tempo maps, sections, end events, every track kind, modifiers and phrases."""

from __future__ import annotations

import random

FIVE_FRET_CHART = ("Single", "DoubleBass", "DoubleRhythm", "DoubleGuitar", "Keyboard")
SIX_FRET_CHART = ("GHLGuitar", "GHLBass", "GHLRhythm", "GHLCoop")
DIFFICULTIES = ("Expert", "Hard", "Medium", "Easy")
SECTION_TEXTS = ("section {}", "[section {}]", "[prc_{}]", "prc {}", "[section {}")
WORDS = ("intro", "verse_1", "chorus", "Solo!", "outro", "bridge 2", "Über", "a]b")


def song_ticks(rng: random.Random, resolution: int) -> list[int]:
    """Ascending note ticks: mostly on a grid, sometimes a tick apart, a few long gaps."""
    tick = rng.choice((0, resolution // 2, resolution * 4, resolution * 8))
    ticks = []
    grid = rng.choice((resolution, resolution // 2, resolution // 4, resolution // 3))
    for _ in range(rng.choice((0, 3, 12, 40, 120, 300))):
        ticks.append(tick)
        roll = rng.random()
        tick += 1 if roll < 0.03 else rng.choice((2, 5)) if roll < 0.05 else \
            grid * rng.choice((1, 1, 1, 2, 8)) if roll < 0.98 else resolution * 64
    return ticks


def phrases(rng: random.Random, ticks: list[int], most: int) -> list[tuple[int, int]]:
    """(tick, length) spans over stretches of the notes; some empty, some of no length."""
    spans = []
    for _ in range(rng.randint(0, most)):
        if not ticks:
            spans.append((rng.randint(0, 5000), rng.randint(0, 500)))
            continue
        first = rng.randrange(len(ticks))
        last = min(len(ticks) - 1, first + rng.randint(0, 12))
        start = ticks[first] + rng.choice((0, 0, 0, 1))
        spans.append((start, max(0, ticks[last] - start + rng.choice((0, 1, 10)))))
    return sorted(spans)


def sustain(rng: random.Random, resolution: int) -> int:
    roll = rng.random()
    if roll < 0.6:
        return 0
    return rng.randint(1, resolution // 8) if roll < 0.75 else rng.randint(1, resolution * 2)


def song_ini(rng: random.Random) -> bytes:
    """A song.ini with a random subset of the keys scan-chart reads (lowercase, as it wants)."""
    values = {
        "name": rng.choice(("Song", "Ünïcödé", "<b>Bold</b>", "")),
        "artist": "Band", "album": "Album", "genre": "rock", "year": rng.choice(("1999", "0")),
        "charter": "Someone", "song_length": rng.choice(("0", "183000", "12345.5", "-1", "x")),
        "pro_drums": rng.choice(("True", "False", "1", "yes")),
        "five_lane_drums": rng.choice(("True", "False")),
        "multiplier_note": rng.choice(("116", "103", "0", "5")),
        "sustain_cutoff_threshold": rng.choice(("-1", "0", "60", "300")),
        "hopo_frequency": rng.choice(("0", "80", "170")),
        "eighthnote_hopo": rng.choice(("True", "False")),
        "chord_snap_threshold": rng.choice(("0", "10")),
        "diff_guitar": str(rng.randint(-1, 6)), "diff_drums": str(rng.randint(-1, 6)),
        "preview_start_time": str(rng.randint(-1, 60000)), "delay": str(rng.randint(-500, 500)),
        "icon": "someone", "end_events": rng.choice(("True", "False")),
        "video_start_time": "0", "modchart": "False", "loading_phrase": "Play it.",
    }
    chosen = [key for key in values if rng.random() < 0.6]
    lines = ["[song]", *(f"{key} = {values[key]}" for key in chosen)]
    if rng.random() < 0.1:
        lines.append("a line without an equals sign")
    return ("\r\n".join(lines) + "\r\n").encode()


def _fret_lines(rng, resolution, six: bool) -> list[tuple[int, str]]:
    lanes = (0, 1, 2, 3, 4, 8) if six else (0, 1, 2, 3, 4)
    lines = []
    ticks = song_ticks(rng, resolution)
    for tick in ticks:
        size = rng.choices((1, 2, 3, len(lanes)), weights=(70, 20, 8, 2))[0]
        chord = [7] if rng.random() < 0.08 else rng.sample(lanes, size)
        length = sustain(rng, resolution)
        for lane in chord:
            own = length if rng.random() < 0.9 else sustain(rng, resolution)
            lines.append((tick, f"N {lane} {own}"))
        for flag in (5, 6):
            if rng.random() < 0.08:
                lines.append((tick, f"N {flag} 0"))
    return lines + _phrase_lines(rng, ticks, drums=False)


def _drum_lines(rng, resolution, difficulty: str) -> list[tuple[int, str]]:
    lines = []
    ticks = song_ticks(rng, resolution)
    for tick in ticks:
        size = rng.choices((1, 2, 3, 4), weights=(60, 30, 8, 2))[0]
        for lane in rng.sample((0, 1, 2, 3, 4, 5), size):
            lines.append((tick, f"N {lane} {rng.choice((0, 0, 0, resolution))}"))
            if lane in (2, 3, 4) and rng.random() < 0.5:
                lines.append((tick, f"N {64 + lane} 0"))
            if lane in (1, 2, 3, 4, 5) and rng.random() < 0.1:
                lines.append((tick, f"N {rng.choice((33, 39)) + lane} 0"))
        if rng.random() < 0.05:
            lines.append((tick, "N 32 0"))
        if rng.random() < 0.01:
            index = DIFFICULTIES[::-1].index(difficulty)
            lines.append((tick, f'E mix {index} drums0{rng.choice(("", "d", "dnoflip"))}'))
    return lines + _phrase_lines(rng, ticks, drums=True)


def _phrase_lines(rng, ticks: list[int], drums: bool) -> list[tuple[int, str]]:
    lines = [(tick, f"S 2 {length}") for tick, length in phrases(rng, ticks, 4)]
    for tick, length in phrases(rng, ticks, 2):
        lines += [(tick, "E solo"), (tick + length, "E soloend")]
    if drums:
        lines += [(t, f"S {rng.choice((64, 65, 66))} {n}") for t, n in phrases(rng, ticks, 3)]
    return lines


def chart_file(rng: random.Random) -> bytes:
    """A .chart text with a random tempo map, events and a few tracks."""
    resolution = rng.choice((192, 480, 96))
    song = [f"Resolution = {resolution}"]
    song += rng.sample(['Name = "Chart Name"', 'Artist = "Chart Artist"', "Offset = 0.25",
                        'Year = ", 2004"', "Difficulty = 3", "PreviewStart = 12.5",
                        'Charter = "Them"'], rng.randint(0, 4))
    sync = [] if rng.random() < 0.1 else [(0, f"B {rng.randint(40, 250) * 1000}")]
    sync += [(0, rng.choice(("TS 4", "TS 3", "TS 7 3", "TS 6 3")))] if rng.random() < 0.9 else []
    for _ in range(rng.randint(0, 4)):
        tick = rng.randint(1, 40) * resolution * rng.choice((1, 4))
        sync.append((tick, rng.choice((f"B {rng.randint(40000, 300000)}", "TS 5", "TS 2 1"))))
    events = [(rng.randint(0, 200) * resolution,
               f'E "{rng.choice(SECTION_TEXTS).format(rng.choice(WORDS))}"')
              for _ in range(rng.choice((0, 1, 3, 8)))]
    events += [(rng.randint(0, 300) * resolution, 'E "[end]"')
               for _ in range(rng.choice((0, 0, 1, 2)))]
    if rng.random() < 0.1:
        events += [(resolution * 8, 'E "lyric hel-"'), (resolution * 9, 'E "phrase_start"')]
    if rng.random() < 0.1:
        events.append((resolution * rng.randint(0, 100), 'E "[coda]"'))
    parts = ["[Song]", "{", *(f"  {line}" for line in song), "}"]
    parts += _section("SyncTrack", sync) + _section("Events", events)
    for name in rng.sample([*FIVE_FRET_CHART, *SIX_FRET_CHART, "Drums"], rng.randint(0, 3)):
        for difficulty in rng.sample(DIFFICULTIES, rng.randint(1, 4)):
            if name == "Drums":
                lines = _drum_lines(rng, resolution, difficulty)
            else:
                lines = _fret_lines(rng, resolution, name in SIX_FRET_CHART)
            parts += _section(difficulty + name, lines)
    return ("\r\n".join(parts) + "\r\n").encode()


def _section(name: str, lines: list[tuple[int, str]]) -> list[str]:
    ordered = sorted(lines, key=lambda line: line[0])
    return [f"[{name}]", "{", *(f"  {tick} = {text}" for tick, text in ordered), "}"]
