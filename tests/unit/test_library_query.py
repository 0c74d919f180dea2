"""LibraryQuery: the URL holds the whole state of a library search, and bad input is refused."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.persistence.library_query import (
    DUPLICATES,
    SORTS,
    BadLibraryQuery,
    LibraryQuery,
)
from shared.songs.events import DIFFICULTIES, DRUM_TYPE_NAMES, INSTRUMENTS

FULL = LibraryQuery(
    text="paranoid andriod", instrument="drums", difficulty="expert", drum_type="fourLanePro",
    has_lyrics=True, has_solos=False, has_taps=True, has_open_notes=False, has_video=True,
    min_length_s=60, max_length_s=600, min_year=1990, max_year=2010, genre="Rock",
    charter="Harmonix", has_issues=False, duplicates="title", sort="year", descending=True,
    page=3, per_page=25)

words = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc", "Zs"]),
                min_size=1, max_size=30)
maybe_bool = st.none() | st.booleans()
queries = st.builds(
    LibraryQuery, text=st.none() | words, instrument=st.none() | st.sampled_from(INSTRUMENTS),
    difficulty=st.none() | st.sampled_from(DIFFICULTIES),
    drum_type=st.none() | st.sampled_from(DRUM_TYPE_NAMES), has_lyrics=maybe_bool,
    has_video=maybe_bool, has_issues=maybe_bool, min_year=st.none() | st.integers(0, 1999),
    max_year=st.none() | st.integers(2000, 2100), genre=st.none() | words,
    duplicates=st.none() | st.sampled_from(DUPLICATES), sort=st.none() | st.sampled_from(SORTS),
    descending=st.booleans(), page=st.integers(1, 10_000), per_page=st.integers(1, 200))


def test_a_query_with_every_field_set_survives_the_url_round_trip():
    params = FULL.to_params()
    assert params["q"] == "paranoid andriod" and params["has_solos"] == "false"
    assert LibraryQuery.from_params(params) == FULL


@given(queries)
def test_any_valid_query_survives_the_url_round_trip(query):
    assert LibraryQuery.from_params(query.to_params()) == query


def test_the_default_query_has_no_parameters_at_all():
    assert LibraryQuery().to_params() == {}
    assert LibraryQuery.from_params({}) == LibraryQuery()


def test_blank_form_fields_mean_any_and_unknown_names_are_ignored():
    params = {"q": "  ", "instrument": "", "has_lyrics": "", "utm_source": "x", "page": "2"}
    assert LibraryQuery.from_params(params) == LibraryQuery(page=2)


def test_booleans_read_the_spellings_html_forms_send():
    assert LibraryQuery.from_params({"has_video": "on"}).has_video is True
    assert LibraryQuery.from_params({"has_video": "0"}).has_video is False
    assert LibraryQuery.from_params({"descending": "yes"}).descending is True


@pytest.mark.parametrize(("params", "complaint"), [
    ({"instrument": "kazoo"}, "instrument"),
    ({"difficulty": "expert+"}, "difficulty"),
    ({"drum_type": "sixLane"}, "drum_type"),
    ({"sort": "random"}, "sort"),
    ({"duplicates": "all"}, "duplicates"),
    ({"has_lyrics": "maybe"}, "has_lyrics"),
    ({"page": "two"}, "page"),
    ({"page": "0"}, "page"),
    ({"per_page": "1000"}, "per_page"),
    ({"min_length_s": "-5"}, "min_length_s"),
    ({"min_year": "2010", "max_year": "2000"}, "min_year"),
    ({"min_length_s": "600", "max_length_s": "60"}, "min_length_s"),
    ({"q": "x" * 501}, "q"),
    ({"min_nps": "fast"}, "min_nps"),
    ({"min_tier": "3"}, "min_tier"),
    ({"exact": "artist,colour"}, "exact"),
    ({"modified_after": "yesterday"}, "modified_after"),
    ({"md5": "abc"}, "md5"),
])
def test_bad_parameters_are_refused_with_a_message_naming_them(params, complaint):
    with pytest.raises(BadLibraryQuery, match=complaint):
        LibraryQuery.from_params(params)


def test_the_offset_follows_the_page():
    assert LibraryQuery(page=3, per_page=25).offset == 50


def test_typed_words_split_like_the_catalog_and_keep_letters_of_any_script():
    from shared.persistence.library import typed_words

    assert typed_words("AC/DC — Back in Black!") == ["ac", "dc", "back", "in", "black"]
    assert typed_words("Café Tacvba: «Eres»") == ["café", "tacvba", "eres"]
    assert typed_words("  ") == []
