"""A library search's URL parameters and its search box text make one SearchSyntax; facet
values become links that narrow the search."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from services.gateway.rendering.library_facets import facet_links
from shared.persistence.library_query import LibraryQuery
from shared.search.library_syntax import search_order, search_syntax
from shared.search.protocol import Order
from shared.search.syntax import BadSearchSyntax, PartFilter, RangeFilter, TextFilter


def test_parameters_and_typed_syntax_join_into_one_search():
    syntax = search_syntax(LibraryQuery(
        text="maiden nps>8", artist="Iron Maiden", exact="artist", charter="foo",
        exclude="charter", instrument="drums", min_tier=4, has_vocals=False,
        duplicates="chart", md5="a" * 32, track_hash="th1", min_length_s=60))
    assert syntax.words == ("maiden",)
    assert set(syntax.texts) == {TextFilter("artist", "Iron Maiden", exact=True),
                                 TextFilter("charter", "foo", exclude=True)}
    assert set(syntax.ranges) == {RangeFilter("max_nps", 8.0, low_open=True),
                                  RangeFilter("tier:drums", 4.0), RangeFilter("length", 60.0)}
    assert syntax.parts == (PartFilter("drums", None),)
    assert set(syntax.flags) == {("vocals", False), ("duplicate_chart", True)}
    assert syntax.md5s == ("a" * 32,) and syntax.hashes == (("track", "th1"),)


def test_a_difficulty_without_an_instrument_means_any_instrument():
    assert search_syntax(LibraryQuery(difficulty="hard")).parts == (PartFilter(None, "hard"),)
    assert search_syntax(LibraryQuery(text="difficulty:hard")).parts == (
        PartFilter(None, "hard"),)


def test_the_typed_text_is_checked():
    with pytest.raises(BadSearchSyntax, match="not a number"):
        search_syntax(LibraryQuery(text="nps>fast"))


@pytest.mark.parametrize(("query", "order"), [
    (LibraryQuery(text="iron maiden"), Order("relevance")),
    (LibraryQuery(text="nps>8"), Order("name")),
    (LibraryQuery(duplicates="title"), Order("artist")),
    (LibraryQuery(text="x", sort="year", descending=True), Order("year", True)),
])
def test_the_order_is_the_sort_asked_else_relevance_for_words_else_name(query, order):
    assert search_order(query, search_syntax(query)) == order


def test_facet_values_link_to_the_search_narrowed_to_them():
    query = LibraryQuery(text="maiden", exact="artist", artist="Iron Maiden", page=3)
    links = facet_links(query, {"genre": {"Metal": 2}, "decade": {"1980s": 1},
                                "instrument": {"drums": 2}, "difficulty": {}},
                        {"drums": "Drums"})
    assert list(links) == ["Instrument", "Genre", "Decade"]
    [drums], [metal], [eighties] = links["Instrument"], links["Genre"], links["Decade"]
    assert (drums.label, drums.count) == ("Drums", 2)
    params = {key: value for key, [value] in parse_qs(urlsplit(metal.url).query).items()}
    assert params == {"q": "maiden", "artist": "Iron Maiden", "genre": "Metal",
                      "exact": "artist,genre"}  # and back to the first page
    assert parse_qs(urlsplit(eighties.url).query)["min_year"] == ["1980"]
    assert not metal.current
    assert facet_links(LibraryQuery(genre="Metal", exact="genre"), {"genre": {"Metal": 2}},
                       {})["Genre"][0].current


def test_a_facet_link_is_the_url_of_the_narrowed_query_itself():
    query = LibraryQuery(text="maiden", exact="artist", artist="Iron Maiden", min_length_s=60,
                         sort="year", descending=True, page=3, per_page=25, versions="all")
    links = facet_links(query, {"genre": {"Metal": 2}, "decade": {"1980s": 1},
                                "instrument": {"drums": 2}, "difficulty": {"expert": 1}}, {})
    narrowed = {
        "Genre": replace(query, page=1, genre="Metal", exact="artist,genre"),
        "Decade": replace(query, page=1, min_year=1980, max_year=1989),
        "Instrument": replace(query, page=1, instrument="drums"),
        "Difficulty": replace(query, page=1, difficulty="expert"),
    }
    for title, expected in narrowed.items():
        [link] = links[title]
        assert link.url == "/library?" + urlencode(expected.to_params()), title
