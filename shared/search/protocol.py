"""What the gateway and the search service say to each other (pure, no numpy): a search's
order, the error of a cursor it did not hand out, and the matches found."""

from __future__ import annotations

from dataclasses import dataclass, field

LOADING = "The search index is still loading; try again shortly."
"""What a search is told while the index is first loaded from the catalog."""


class BadCursor(ValueError):
    """A cursor that this search did not hand out."""


@dataclass(frozen=True)
class Order:
    sort: str
    descending: bool = False


@dataclass(frozen=True)
class Matches:
    """One page of a search: song ids in order, their total, the next page's cursor and the
    facet counts over the whole result."""

    total: int
    ids: list[str]
    next_cursor: str | None
    facets: dict[str, dict[str, int]]
    scores: dict[str, float] = field(default_factory=dict)
    """Similarity to the typed words, for the ids of this page; empty without words."""
