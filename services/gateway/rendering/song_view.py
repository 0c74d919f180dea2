"""What the song page draws from a song's scan: the notes-per-second graph, each part's densest
second, and its issues in plain language. Pure: a scan's dict in, frozen template values out
(`NpsGraph`, `PeakBar`, `IssueKind`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shared.songs.events import DIFFICULTIES

WIDTH, HEIGHT, PAD = 720, 180, 24
COLOURS = {"guitar": "#2ecc71", "bass": "#ff4d5e", "drums": "#ffd23f", "keys": "#3fa7ff"}
OTHER_COLOUR = "#ff9f1c"
EXPLANATIONS = {
    "noAlbumArt": "There is no album.png or album.jpg, so Clone Hero shows a blank cover.",
    "multipleAlbumArt": "Several album art files exist; Clone Hero picks only one of them.",
    "albumArtSize": "The album art is not 500 by 500 or 512 by 512 pixels; it may look blurry.",
    "badAlbumArt": "The album art file cannot be read as an image.",
    "noAudio": "No audio file was found, so the song plays in silence.",
    "invalidAudio": "An audio file cannot be decoded.",
    "multipleAudio": "Two audio files share a stem name (e.g. song.ogg and song.mp3).",
    "noChart": "There is no notes.chart or notes.mid, so there is nothing to play.",
    "badChart": "The chart file is damaged and cannot be read.",
    "invalidChart": "The chart file is not a chart Clone Hero understands.",
    "multipleChart": "Both notes.chart and notes.mid exist; only one is used.",
    "noMetadata": "There is no song.ini, so name, artist and difficulties are guesses.",
    "invalidIni": "song.ini cannot be read.",
    "invalidMetadata": "song.ini has no [song] section.",
    "badIniLine": "A line of song.ini is malformed and was skipped.",
    "multipleIniFiles": "Several song.ini files exist; only one is used.",
    "missingValue": "A value the game shows (like a difficulty tier) is missing from song.ini.",
    "extraValue": "song.ini sets a value for a part the chart does not have.",
    "invalidValue": "A song.ini value has the wrong type and is ignored.",
    "smallLeadingSilence": "Notes start within 2 seconds; players may miss the first ones.",
    "noNotes": "A track has no notes at all.",
    "difficultyForbiddenNote": "A note that this difficulty does not allow (e.g. open on easy).",
    "badEndEvent": "The chart's end event is misplaced, so the song may end early or late.",
}


@dataclass(frozen=True)
class Series:
    instrument: str
    difficulty: str
    colour: str
    points: str
    peak: float


@dataclass(frozen=True)
class Gridline:
    y: float
    label: float


@dataclass(frozen=True)
class NpsGraph:
    series: list[Series]
    top: float
    seconds: int
    gridlines: list[Gridline]
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


@dataclass(frozen=True)
class PeakBar:
    instrument: str
    difficulty: str
    nps: float
    length: int  # percent of the densest instrument's
    colour: str


@dataclass(frozen=True)
class Issue:
    explanation: str
    description: str
    instrument: str | None
    difficulty: str | None


def nps_graph(notes: Mapping[str, Any]) -> NpsGraph | None:
    """Polylines of notes per second, the hardest difficulty of each instrument."""
    graphs = _hardest(notes.get("npsGraph") or [])
    if not graphs:
        return None
    top = max((max(g["perSecond"] or [0]) for g in graphs), default=0) or 1
    seconds = max(len(g["perSecond"]) for g in graphs) or 1
    series = [Series(g["instrument"], g["difficulty"], _colour(g["instrument"]),
                     _points(g["perSecond"], top, seconds), max(g["perSecond"] or [0]))
              for g in graphs]
    return NpsGraph(series, top, seconds, _gridlines(top))


def peak_bars(notes: Mapping[str, Any]) -> list[PeakBar]:
    """Without per-second data: each instrument's densest second, as bar lengths (0-100)."""
    peaks = _hardest([{**e, "perSecond": [e.get("nps") or 0]} for e in notes.get("maxNps") or []])
    top = max((p["perSecond"][0] for p in peaks), default=0) or 1
    return [PeakBar(p["instrument"], p["difficulty"], p["perSecond"][0],
                    round(100 * p["perSecond"][0] / top), _colour(p["instrument"]))
            for p in peaks]


def explain(issue: Mapping[str, Any]) -> str:
    return EXPLANATIONS.get(_code(issue) or "", issue.get("description") or "")


ISSUES_LISTED = 10
"""How many of one kind of issue a song's page lists; the rest are counted. A chart may have
thousands of one kind (a note on every beat its difficulty does not allow)."""


@dataclass(frozen=True)
class IssueKind:
    explanation: str
    count: int
    listed: tuple[Issue, ...]
    """The first ISSUES_LISTED issues of the kind."""

    @property
    def unlisted(self) -> int:
        return self.count - len(self.listed)


def all_issues(scan: Mapping[str, Any]) -> list[IssueKind]:
    """The scan's issues by kind, in the order each kind first appears: how many of each, and
    the first ISSUES_LISTED of them."""
    notes = scan.get("notesData") or {}
    counts: dict[str, int] = {}
    listed: dict[str, list[Issue]] = {}
    for issue in [*(scan.get("folderIssues") or []), *(scan.get("metadataIssues") or []),
                  *(notes.get("chartIssues") or [])]:
        code = _code(issue) or issue.get("description") or ""
        counts[code] = counts.get(code, 0) + 1
        if len(kind := listed.setdefault(code, [])) < ISSUES_LISTED:
            kind.append(Issue(explain(issue), issue.get("description") or "",
                              issue.get("instrument"), issue.get("difficulty")))
    return [IssueKind(_untimed(listed[code][0].explanation), count, tuple(listed[code]))
            for code, count in counts.items()]


def _code(issue: Mapping[str, Any]) -> str | None:
    return issue.get("folderIssue") or issue.get("metadataIssue") or issue.get("noteIssue")


def _untimed(text: str) -> str:
    """A description without the chart time it starts with ("[00:30.00]: ...")."""
    return re.sub(r"^\[[0-9:.]+\]:\s*", "", text)


def _hardest(entries: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Of each instrument's entries, the one of its hardest difficulty."""
    best: dict[str, Mapping[str, Any]] = {}
    for entry in entries:
        rank = _rank(entry.get("difficulty"))
        current = best.get(entry.get("instrument"))
        if current is None or rank < _rank(current["difficulty"]):
            best[entry["instrument"]] = entry
    return list(best.values())


def _rank(difficulty: Any) -> int:
    return DIFFICULTIES.index(difficulty) if difficulty in DIFFICULTIES else 9


def _colour(instrument: str) -> str:
    return next((c for name, c in COLOURS.items() if instrument.startswith(name)), OTHER_COLOUR)


def _points(per_second: list[int], top: float, seconds: int) -> str:
    span_x, span_y = WIDTH - 2 * PAD, HEIGHT - 2 * PAD
    step = span_x / max(1, seconds - 1)
    return " ".join(f"{PAD + i * step:.1f},{HEIGHT - PAD - span_y * n / top:.1f}"
                    for i, n in enumerate(per_second))


def _gridlines(top: float) -> list[Gridline]:
    span_y = HEIGHT - 2 * PAD
    return [Gridline(round(HEIGHT - PAD - span_y * f, 1), round(top * f, 1))
            for f in (0, 0.5, 1)]
