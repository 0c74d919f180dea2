"""Which notes must survive a reduction so that no star power, solo or lane phrase ends empty."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence


def phrase_anchors(ticks: Sequence[int], phrases: Sequence) -> list[bool]:
    """Per note group: whether it is the first note of a phrase (`tick`, `length`) that holds
    notes, the way scan-chart decides a phrase is empty (a zero length covers one tick)."""
    anchors = [False] * len(ticks)
    for phrase in phrases:
        index = bisect_left(ticks, phrase.tick)
        if index < len(ticks) and ticks[index] < phrase.tick + (phrase.length or 1):
            anchors[index] = True
    return anchors
