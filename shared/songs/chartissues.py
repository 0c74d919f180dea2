"""Chart issues (scan-chart's findChartIssues): whole-chart checks, then per-track checks."""

from __future__ import annotations

import math
from itertools import combinations

from . import events as ev
from .issues import ChartIssue, chart_issue
from .text import lodash_round
from .timing import Clock
from .trackhash import prune_empty_phrases
from .tracks import ParsedChart, Track

LEADING_SILENCE_MS = 1000
MIN_SUSTAIN_GAP_MS = 40
MIN_SUSTAIN_MS = 100


def chart_issues(chart: ParsedChart, hashes: dict[tuple[str, str], str]) -> list[ChartIssue]:
    """Every chart issue, in scan-chart's order."""
    issues = _misaligned_time_signatures(chart)
    if all(not t.groups for t in chart.tracks) and not chart.has_vocals:
        issues.append(chart_issue("noNotes"))
    issues += _difficulty_issues(chart, hashes)
    tempos, signatures = chart.tempos, chart.time_signatures
    if (len(tempos) == 1 and lodash_round(tempos[0].bpm, 12) == 120 and len(signatures) == 1
            and (signatures[0].numerator, signatures[0].denominator) == (4, 4)):
        issues.append(chart_issue("isDefaultBPM"))
    if not chart.sections:
        issues.append(chart_issue("noSections"))
    issues += _end_event_issues(chart)
    for track in chart.tracks:
        issues += track_issues(track, chart.clock())
    return issues


def _misaligned_time_signatures(chart: ParsedChart) -> list[ChartIssue]:
    issues = []
    signatures = list(chart.time_signatures)
    beatline = 0
    i = 0
    while i < len(signatures):
        if beatline != signatures[i].tick:
            issues.append(chart_issue("misalignedTimeSignature", ms=signatures[i].ms_time))
            del signatures[i]
            i -= 1
        if i + 1 < len(signatures):
            beatline = _advance(beatline, signatures[i + 1].tick, chart.resolution,
                                signatures[i])
        i += 1
    return issues


def _advance(beatline: float, target: int, resolution: int, signature) -> float:
    """Add whole measures until reaching `target` (jumping when there are very many)."""
    step = resolution * 4 * (signature.numerator / signature.denominator)
    if step <= 0:
        return beatline  # a measure of no length never advances (scan-chart would hang)
    if (target - beatline) / step > 1000:
        beatline += step * max(0, math.floor((target - beatline) / step) - 1)
    while beatline < target:
        advanced = beatline + step
        if advanced == beatline:  # a measure too short to move the beatline: it never lands
            return beatline
        beatline = advanced
    return beatline


def _difficulty_issues(chart: ParsedChart, hashes: dict[tuple[str, str], str]) -> list[ChartIssue]:
    issues = []
    by_instrument: dict[str, list[Track]] = {}
    for track in chart.tracks:
        by_instrument.setdefault(track.instrument, []).append(track)
    for instrument, tracks in by_instrument.items():
        if all(t.difficulty != "expert" for t in tracks):
            issues.append(chart_issue("noExpert", instrument))
            continue
        expert = hashes[(instrument, "expert")]
        issues += [chart_issue("difficultyNotReduced", instrument, t.difficulty)
                   for t in tracks if t.difficulty != "expert"
                   and hashes[(instrument, t.difficulty)] == expert and len(t.groups) > 20]
    return issues


def _end_event_issues(chart: ParsedChart) -> list[ChartIssue]:
    """Every end event after the first, and a first one before the last note (scan-chart 8
    no longer compares it with song_length, which is often missing or measured elsewhere)."""
    ends = chart.end_events
    issues = [chart_issue("badEndEvent", ms=end.ms_time) for end in ends[1:]]
    last_ticks = [t.groups[-1][0][0] for t in chart.tracks if t.groups]
    last_note_tick = max(last_ticks) if last_ticks else None
    if last_note_tick and ends and ends[0].tick < last_note_tick:
        issues.append(chart_issue("badEndEvent", ms=ends[0].ms_time))
    return issues


def track_issues(track: Track, clock: Clock) -> list[ChartIssue]:
    """The per-track checks for one track."""
    issues: list[ChartIssue] = []

    def add(code: str, ms: float | None = None) -> None:
        issues.append(chart_issue(code, track.instrument, track.difficulty, ms))

    groups, times = track.groups, track.times
    if groups and times[0] < LEADING_SILENCE_MS:
        add("smallLeadingSilence")
    long_track = len(groups) > 50 and times[-1] - times[0] > 60000
    if not track.star_power and track.instrument != "drums" and long_track:
        add("noStarPower")
    for phrase in _empty(track.star_power, track.ticks):
        add("emptyStarPower", phrase.ms_time)
    for phrase in track.rejected_star_power:
        add("badStarPower", phrase.ms_time)
    for phrase in _empty(track.solo_sections, track.ticks):
        add("emptySoloSection", phrase.ms_time)
    if (track.instrument == "drums" and not track.freestyle_sections and track.star_power
            and long_track):
        add("noDrumActivationLanes")
    for phrase in _empty(track.flex_lanes, track.ticks):
        add("emptyFlexLane", phrase.ms_time)
    kind = ev.instrument_kind(track.instrument)
    lane_check = {"drums": _drum_chord_issues, "fiveFret": _five_fret_chord_issues,
                  "sixFret": _six_fret_chord_issues}[kind]
    # A chord's codes depend only on its lanes and 2x kick flags, and chords repeat a lot;
    # chords smaller than `quiet` never get one (most expert notes).
    codes_of: dict[object, list[str]] = {}
    double_kick = ev.F_DOUBLE_KICK
    quiet = _QUIET_BELOW[(kind, track.difficulty)]
    for group, time in zip(groups, times, strict=True):
        if len(group) < quiet:
            continue
        if len(group) == 1:
            key = group[0][2] | (group[0][3] & double_kick) << 8
        else:
            key = tuple(n[2] | (n[3] & double_kick) << 8 for n in group)
        codes = codes_of.get(key)
        if codes is None:
            codes = codes_of[key] = lane_check(group, track.difficulty)
        for code in codes:
            add(code, time)
    _broken_notes(groups, times, add)
    if kind != "drums":
        _sustain_issues(groups, times, clock, add)
    return issues


def _empty(phrases: list, ticks: list[int]) -> list:
    kept = {id(p) for p in prune_empty_phrases(phrases, ticks)}
    return [p for p in phrases if id(p) not in kept]


def _mask(*types: int) -> int:
    mask = 0
    for kind in types:
        mask |= 1 << kind
    return mask


def _lanes(group) -> int:
    """Bit mask of the lanes in a chord (a chord holds each lane at most once)."""
    mask = 0
    for note in group:
        mask |= 1 << note[2]
    return mask


_NON_KICK = _mask(ev.N_GREEN_DRUM, ev.N_RED_DRUM, ev.N_YELLOW_DRUM, ev.N_BLUE_DRUM)
_KICK = _mask(ev.N_KICK)


def _drum_chord_issues(group, difficulty: str) -> list[str]:
    lanes = _lanes(group)
    codes = []
    if difficulty != "expert":
        codes += ["difficultyForbiddenNote" for n in group if n[3] & ev.F_DOUBLE_KICK]
    if difficulty == "easy" and (lanes & _NON_KICK).bit_count() == 2 and lanes & _KICK:
        codes.append("difficultyForbiddenNote")
    if (lanes & _NON_KICK).bit_count() >= 3:
        codes.append("invalidChord")
    return codes


_GREEN_ORANGE = _mask(ev.N_GREEN, ev.N_ORANGE)
_GREEN_BLUE = _mask(ev.N_GREEN, ev.N_BLUE)
_ORANGE_BLUE = _mask(ev.N_ORANGE, ev.N_BLUE)
_ORANGE = _mask(ev.N_ORANGE)
_FIVE_LANES = _mask(ev.N_GREEN, ev.N_RED, ev.N_YELLOW, ev.N_BLUE, ev.N_ORANGE)


def _five_fret_chord_issues(group, difficulty: str) -> list[str]:
    lanes = _lanes(group)
    if difficulty == "hard":
        forbidden = lanes & _GREEN_ORANGE == _GREEN_ORANGE
    elif difficulty == "medium":
        forbidden = bool(lanes & _ORANGE) or lanes & _GREEN_BLUE == _GREEN_BLUE
    elif difficulty == "easy":
        forbidden = bool(lanes & _ORANGE_BLUE)
    else:
        forbidden = False
    codes = ["difficultyForbiddenNote"] if forbidden else []
    if lanes & _FIVE_LANES == _FIVE_LANES:
        codes.append("invalidChord")
    return codes


_BLACK = _mask(ev.N_BLACK1, ev.N_BLACK2, ev.N_BLACK3)
_WHITE = _mask(ev.N_WHITE1, ev.N_WHITE2, ev.N_WHITE3)
_ONE, _TWO = _mask(ev.N_BLACK1, ev.N_WHITE1), _mask(ev.N_BLACK2, ev.N_WHITE2)
_THREE = _mask(ev.N_BLACK3, ev.N_WHITE3)
_WHITE12, _WHITE23 = _mask(ev.N_WHITE1, ev.N_WHITE2), _mask(ev.N_WHITE2, ev.N_WHITE3)


def _six_fret_forbidden(lanes: int, size: int, difficulty: str) -> bool:
    black, white = (lanes & _BLACK).bit_count(), (lanes & _WHITE).bit_count()
    if difficulty == "hard":
        return size == 3 and (black < 3 or white < 3)
    if difficulty == "medium":
        barre = any(lanes & pair == pair for pair in (_ONE, _TWO, _THREE))
        return size == 3 or (size == 2 and black > 0 and white > 0 and not barre)
    if difficulty == "easy":
        return size == 3 or (size == 2 and lanes not in (_WHITE12, _WHITE23))
    return False


def _six_fret_chord_issues(group, difficulty: str) -> list[str]:
    lanes = _lanes(group)
    forbidden = _six_fret_forbidden(lanes, len(group), difficulty)
    codes = ["difficultyForbiddenNote"] if forbidden else []
    if (len(group) > 3
            or (lanes & _TWO == _TWO and lanes & _ONE)
            or (lanes & _THREE == _THREE and lanes & (_ONE | _TWO))):
        codes.append("invalidChord")
    return codes


_OPEN = _mask(ev.N_OPEN)
_CHORD_CHECKS = {
    "drums": (_drum_chord_issues, (ev.N_KICK, ev.N_RED_DRUM, ev.N_YELLOW_DRUM, ev.N_BLUE_DRUM,
                                   ev.N_GREEN_DRUM)),
    "fiveFret": (_five_fret_chord_issues, (ev.N_OPEN, ev.N_GREEN, ev.N_RED, ev.N_YELLOW,
                                           ev.N_BLUE, ev.N_ORANGE)),
    "sixFret": (_six_fret_chord_issues, (ev.N_OPEN, ev.N_BLACK1, ev.N_BLACK2, ev.N_BLACK3,
                                         ev.N_WHITE1, ev.N_WHITE2, ev.N_WHITE3)),
}


def _quiet_size(kind: str, difficulty: str) -> int:
    """The smallest chord size that can get a lane code, found by trying every chord."""
    check, lanes = _CHORD_CHECKS[kind]
    for size in range(1, len(lanes) + 1):
        for chord in combinations(lanes, size):
            for kick_flag in (0, ev.F_DOUBLE_KICK):
                group = [[0, 0, lane, kick_flag if lane == ev.N_KICK else 0] for lane in chord]
                if check(group, difficulty):
                    return size
    return len(lanes) + 1


_QUIET_BELOW = {(kind, difficulty): _quiet_size(kind, difficulty)
                for kind in _CHORD_CHECKS for difficulty in ev.DIFFICULTIES}


def _broken_notes(groups, times, add) -> None:
    close = [i for i in range(1, len(times)) if 0 < times[i] - times[i - 1] <= 15]
    for i in close:
        if bool(_lanes(groups[i]) & _OPEN) != bool(_lanes(groups[i - 1]) & _OPEN):
            continue  # a non-open next to an open is deliberate
        add("brokenNote", times[i])


def _sustain_issues(groups, times, clock: Clock, add) -> None:
    gaps: list[tuple[float, float]] = []  # [start, end) after each sustain's end
    first_end = math.inf  # no gap ends before this, so none needs dropping until then
    for i, group in enumerate(groups):
        time = times[i]
        if gaps:
            if time >= first_end:
                gaps = [gap for gap in gaps if gap[1] > time]
                first_end = min((gap[1] for gap in gaps), default=math.inf)
            if any(start <= time for start, _ in gaps):
                add("badSustainGap", time)
        for note in group:
            if not note[1]:
                continue
            ms_length = clock.ms_length(clock.ms(note[0]), note[0], note[1])
            if ms_length > 0 and note[2] != ev.N_OPEN:
                end = time + ms_length
                gaps.append((end, end + MIN_SUSTAIN_GAP_MS))
                first_end = min(first_end, end + MIN_SUSTAIN_GAP_MS)
            if 0 < ms_length < MIN_SUSTAIN_MS:
                following = groups[i + 1] if i + 1 < len(groups) else ()
                open_next = next((n for n in following if n[2] == ev.N_OPEN), None)
                if (open_next is not None and open_next[0] < note[0] + note[1]
                        and open_next[3] & (ev.F_HOPO | ev.F_TAP)):
                    continue  # baby sustains before HOPO or tap opens are fine
                add("babySustain", time)
