"""Numeric codes shared by the readers: raw event types, note types and note flags.

The note type and flag values are scan-chart's: they are hashed into `trackHashes`.
"""

from __future__ import annotations

# Raw event types (scan-chart `eventTypes`); order matters: .mid sorts by type, descending.
(STAR_POWER, SOLO_SECTION, REJECTED_STAR_POWER, SOLO_START, SOLO_END,
 OPEN, GREEN, RED, YELLOW, BLUE, ORANGE,
 BLACK1, BLACK2, BLACK3, WHITE1, WHITE2, WHITE3,
 KICK, KICK_2X, RED_DRUM, YELLOW_DRUM, BLUE_DRUM, FIVE_ORANGE_FOUR_GREEN_DRUM, FIVE_GREEN_DRUM,
 FLEX_LANE_SINGLE, FLEX_LANE_DOUBLE, FREESTYLE_SECTION,
 FORCE_OPEN, FORCE_TAP, FORCE_STRUM, FORCE_HOPO, FORCE_UNNATURAL, FORCE_FLAM,
 YELLOW_TOM_MARKER, BLUE_TOM_MARKER, GREEN_TOM_MARKER,
 YELLOW_CYMBAL_MARKER, BLUE_CYMBAL_MARKER, GREEN_CYMBAL_MARKER,
 RED_GHOST, YELLOW_GHOST, BLUE_GHOST, FIVE_ORANGE_FOUR_GREEN_GHOST, FIVE_GREEN_GHOST, KICK_GHOST,
 RED_ACCENT, YELLOW_ACCENT, BLUE_ACCENT, FIVE_ORANGE_FOUR_GREEN_ACCENT, FIVE_GREEN_ACCENT,
 KICK_ACCENT, DISCO_FLIP_OFF, DISCO_FLIP_ON, DISCO_NO_FLIP_ON,
 ENABLE_CHART_DYNAMICS) = range(55)

FRET_EVENTS = frozenset((OPEN, GREEN, RED, YELLOW, BLUE, ORANGE,
                         BLACK1, BLACK2, BLACK3, WHITE1, WHITE2, WHITE3))
KICK_EVENTS = frozenset((KICK, KICK_2X))
DRUM_EVENTS = frozenset((KICK, KICK_2X, RED_DRUM, YELLOW_DRUM, BLUE_DRUM,
                         FIVE_ORANGE_FOUR_GREEN_DRUM, FIVE_GREEN_DRUM))
TOM_OR_CYMBAL_MARKERS = frozenset((YELLOW_TOM_MARKER, BLUE_TOM_MARKER, GREEN_TOM_MARKER,
                                   YELLOW_CYMBAL_MARKER, BLUE_CYMBAL_MARKER, GREEN_CYMBAL_MARKER))
DISCO_EVENTS = frozenset((DISCO_FLIP_OFF, DISCO_FLIP_ON, DISCO_NO_FLIP_ON))

# Note types (scan-chart 8's `noteTypes`: they start at 1, and the value is hashed)
(N_OPEN, N_GREEN, N_RED, N_YELLOW, N_BLUE, N_ORANGE,
 N_BLACK1, N_BLACK2, N_BLACK3, N_WHITE1, N_WHITE2, N_WHITE3,
 N_KICK, N_RED_DRUM, N_YELLOW_DRUM, N_BLUE_DRUM, N_GREEN_DRUM) = range(1, 18)

FRET_NOTE_TYPE = {
    OPEN: N_OPEN, GREEN: N_GREEN, RED: N_RED, YELLOW: N_YELLOW, BLUE: N_BLUE, ORANGE: N_ORANGE,
    BLACK1: N_BLACK1, BLACK2: N_BLACK2, BLACK3: N_BLACK3,
    WHITE1: N_WHITE1, WHITE2: N_WHITE2, WHITE3: N_WHITE3,
}

# Note flags (scan-chart `noteFlags`)
F_NONE, F_STRUM, F_HOPO, F_TAP, F_DOUBLE_KICK = 0, 1, 2, 4, 8
F_TOM, F_CYMBAL, F_DISCO_NOFLIP, F_DISCO = 16, 32, 64, 128
F_FLAM, F_GHOST, F_ACCENT = 256, 512, 1024

INSTRUMENTS = ("guitar", "guitarcoop", "rhythm", "bass", "drums", "keys",
               "guitarghl", "guitarcoopghl", "rhythmghl", "bassghl")
DIFFICULTIES = ("expert", "hard", "medium", "easy")
SIX_FRET = frozenset(("guitarghl", "guitarcoopghl", "rhythmghl", "bassghl"))
DRUM_TYPE_NAMES = ("fourLane", "fourLanePro", "fiveLane")


def instrument_kind(instrument: str) -> str:
    """'drums', 'sixFret' or 'fiveFret'."""
    if instrument == "drums":
        return "drums"
    return "sixFret" if instrument in SIX_FRET else "fiveFret"
