"""Problems found in a song folder, with scan-chart 8.0.1's codes and a sentence for people."""

from __future__ import annotations

import math
from dataclasses import dataclass

from .text import lodash_floor


@dataclass(frozen=True)
class FolderIssue:
    """A problem with the folder's files (scan-chart `folderIssues`)."""

    code: str
    description: str

    def as_dict(self) -> dict:
        return {"folderIssue": self.code, "description": self.description}


@dataclass(frozen=True)
class MetadataIssue:
    """A problem with the song's metadata (scan-chart `metadataIssues`)."""

    code: str
    description: str

    def as_dict(self) -> dict:
        return {"metadataIssue": self.code, "description": self.description}


@dataclass(frozen=True)
class ChartIssue:
    """A problem inside the chart, maybe tied to one track (scan-chart `chartIssues`)."""

    code: str
    description: str
    instrument: str | None = None
    difficulty: str | None = None

    def as_dict(self) -> dict:
        return {
            "instrument": self.instrument,
            "difficulty": self.difficulty,
            "noteIssue": self.code,
            "description": self.description,
        }


CHART_ISSUE_TEXT = {
    "misalignedTimeSignature": "This chart has a time signature marker that doesn't appear at the "
    "start of a measure. This can't be interpreted correctly in Clone Hero.",
    "noNotes": "This chart has no notes.",
    "noExpert": "This instrument has Easy, Medium, or Hard charted but not Expert.",
    "difficultyNotReduced": "The notes of this difficulty are identical to the notes of the "
    "expert chart.",
    "isDefaultBPM": "This chart has only one 120 BPM marker and only one 4/4 time signature. "
    "This usually means the chart wasn't tempo-mapped, but you can ignore this if the song is "
    "a constant 120 BPM.",
    "noSections": "This chart has no sections.",
    "badEndEvent": "This end event is in an invalid location and will be ignored by most games.",
    "smallLeadingSilence": "This track has a note that is less than 2000ms after the start of "
    "the track.",
    "noStarPower": "This track has no star power.",
    "emptyStarPower": "This star power phrase contains no notes.",
    "badStarPower": 'This star power is being ignored due to the .ini "multiplier_note" setting.',
    "emptySoloSection": "This solo section contains no notes.",
    "noDrumActivationLanes": "This drums track has no activation lanes.",
    "emptyFlexLane": "This flex lane contains no notes.",
    "difficultyForbiddenNote": "This is a note that isn't allowed on the track's difficulty.",
    "invalidChord": "The use of this type of chord is strongly discouraged.",
    "brokenNote": "This note is so close to the previous note that this was likely a charting "
    "mistake.",
    "badSustainGap": "This note is not far enough ahead of the previous sustain.",
    "babySustain": "The sustain on this note is too short.",
}


def _floor_hundredths(value: float) -> float:
    """lodash `_.floor(value, 2)` (shifting through the decimal text, not multiplying)."""
    text = repr(value)
    if "e" in text or "n" in text:
        return lodash_floor(value, 2)
    return math.floor(float(text + "e2")) / 100


def exact_time(ms: float) -> str:
    """scan-chart's msToExactTime: `[H:]MM:SS.ss` with the seconds floored to hundredths."""
    seconds = _floor_hundredths(math.fmod(ms / 1000, 60))
    minutes = math.floor(ms / 1000 / 60 % 60)
    hours = math.floor(ms / 1000 / 60 / 60 % 24)
    prefix = f"{hours}:" if hours else ""
    return f"{prefix}{minutes:02d}:{seconds:05.2f}"


def chart_issue(
    code: str, instrument: str | None = None, difficulty: str | None = None,
    ms: float | None = None,
) -> ChartIssue:
    """Build a chart issue with scan-chart's description, prefixed by the time when it has one."""
    text = CHART_ISSUE_TEXT[code]
    if ms is not None:
        text = f"[{exact_time(ms)}]: {text}"
    return ChartIssue(code, text, instrument, difficulty)
