"""The /library page's facet links: each facet value of the current search as the URL of
that search narrowed to it (pure)."""

from __future__ import annotations

import dataclasses
from typing import Any
from urllib.parse import urlencode

from shared.persistence.library_query import LibraryQuery, params_with

FACET_TITLES = {"instrument": "Instrument", "difficulty": "Difficulty", "genre": "Genre",
                "charter": "Charter", "decade": "Decade"}


@dataclasses.dataclass(frozen=True)
class FacetLink:
    label: str
    count: int
    url: str
    current: bool


def facet_links(query: LibraryQuery, facets: dict[str, dict[str, int]],
                names: dict[str, str]) -> dict[str, list[FacetLink]]:
    """Per facet (titled), its values as links narrowing `query`; `names` shows instruments."""
    links: dict[str, list[FacetLink]] = {}
    first_page = {name: value for name, value in query.to_params().items()
                  if name not in ("page", "cursor")}
    for facet, title in FACET_TITLES.items():
        values = facets.get(facet) or {}
        links[title] = [_link(query, first_page, facet, value, count, names)
                        for value, count in values.items()]
    return {title: found for title, found in links.items() if found}


def _link(query: LibraryQuery, first_page: dict[str, str], facet: str, value: str,
          count: int, names: dict[str, str]) -> FacetLink:
    changes: dict[str, Any] = {}
    label = value
    if facet in ("instrument", "difficulty"):
        changes[facet] = value
        label = names.get(value, value) if facet == "instrument" else value.capitalize()
    elif facet == "decade":
        start = int(value.removesuffix("s"))
        changes = {"min_year": start, "max_year": start + 9}
    else:
        exact = sorted({*query.fields_named("exact"), facet})
        changes = {facet: value, "exact": ",".join(exact)}
    current = all(getattr(query, key) == wanted for key, wanted in changes.items()
                  if key != "exact")
    return FacetLink(label, count, "/library?" + urlencode(params_with(first_page, changes)),
                     current)
