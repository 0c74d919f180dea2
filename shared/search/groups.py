"""Version groups in a search's matches (pure): one row per song however many of its versions
match, and facets that count songs, not versions.

Consumes a `SongIndex` (each slot's version group) and the mask of matching slots; emits the
mask of each group's representative (its newest matching version: added last, then the
highest id, as a rig set to "newest" receives), and the values a facet counts once per group.

Most songs have one version: slots alone in their group among the matches are read as they
are, and only the shared ones, sorted by group once, are reduced group by group (numpy's
`reduceat`, and one sort of nearly sorted numbers per facet), never in a loop.
"""

from __future__ import annotations

import numpy as np

from shared.search.index import SongIndex


class GroupedMatches:
    """The matches of one search, told apart into those `alone` in their group (a mask) and
    the `shared` ones (slots whose group holds another match), sorted by group: `starts`
    holds where each group's run begins, `run` each shared slot's run."""

    def __init__(self, index: SongIndex, mask: np.ndarray) -> None:
        self.index = index
        slots = np.flatnonzero(mask)
        groups = index.groups.codes.values[slots]
        shared = np.bincount(groups, minlength=index.group_count)[groups] > 1
        self.alone = mask.copy()
        self.alone[slots[shared]] = False
        self.alone_slots = slots[~shared]  # the same, listed: facets gather by it
        groups = groups[shared]
        order = np.argsort(groups)
        self.shared, groups = slots[shared][order], groups[order]
        begins = np.ones(len(groups), dtype=bool)
        begins[1:] = groups[1:] != groups[:-1]
        self.starts = np.flatnonzero(begins)
        self.run = np.cumsum(begins) - 1

    def representatives(self) -> np.ndarray:
        """A mask of one slot per group: its newest matching version."""
        chosen = self.alone.copy()
        if not len(self.shared):
            return chosen
        added = np.nan_to_num(self.index.numbers["added"].values[self.shared], nan=-np.inf)
        latest = added == np.maximum.reduceat(added, self.starts)[self.run]
        tied = (np.add.reduceat(latest, self.starts) > 1)[self.run]
        chosen[self.shared[latest & ~tied]] = True
        if tied.any():  # added at the same moment: the highest id, as `versions_for_rig`
            slots, runs = self.shared[latest & tied], self.run[latest & tied]
            ids = self.index.ids
            order = np.lexsort((ids.low.values[slots], ids.high.values[slots], runs))
            ordered = runs[order]
            last = np.append(ordered[1:] != ordered[:-1], True)
            chosen[slots[order][last]] = True
        return chosen

    def union(self, values: np.ndarray) -> np.ndarray:
        """Bit sets (one per slot) joined per group: one set per group with matches."""
        alone = values.take(self.alone_slots)
        if not len(self.shared):
            return alone
        joined = np.bitwise_or.reduceat(values[self.shared], self.starts)
        return np.concatenate([alone, joined])

    def once(self, values: np.ndarray) -> np.ndarray:
        """Codes (one per slot, small integers) with each code kept once per group."""
        alone = values.take(self.alone_slots)
        if not len(self.shared):
            return alone
        codes = values[self.shared].astype(np.int64)
        low = int(codes.min())
        width = int(codes.max()) - low + 1
        pairs = np.sort(self.run * width + (codes - low))  # sorted by run already, nearly
        distinct = pairs[np.append(True, pairs[1:] != pairs[:-1])]
        return np.concatenate([alone, (distinct % width + low).astype(values.dtype)])
