"""The search box's query syntax: every element, and a clear error for anything else."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.search.syntax import (
    BadSearchSyntax,
    PartFilter,
    RangeFilter,
    SearchSyntax,
    TextFilter,
    parse_search,
)

MD5 = "0123456789abcdef0123456789abcdef"


def test_plain_words_are_searched_for_lowercased_and_split_at_punctuation():
    assert parse_search("Iron  Maiden's") == SearchSyntax(words=("iron", "maiden", "s"))


def test_a_quoted_phrase_outside_a_field_is_words():
    assert parse_search('"re:zero" live').words == ("re", "zero", "live")


def test_a_minus_before_a_word_excludes_it():
    assert parse_search("maiden -live") == SearchSyntax(words=("maiden",),
                                                        excluded_words=("live",))


@pytest.mark.parametrize("written, field", [
    ("name", "name"), ("title", "name"), ("song", "name"), ("artist", "artist"),
    ("album", "album"), ("genre", "genre"), ("year", "year"), ("charter", "charter")])
def test_each_text_field_takes_contains_exact_and_exclude(written, field):
    value = "Released in spring" if field == "year" else "Iron Maiden"
    assert parse_search(f'{written}:"{value}"').texts == (TextFilter(field, value),)
    assert parse_search(f'{written}="{value}"').texts == (TextFilter(field, value, exact=True),)
    assert parse_search(f'-{written}:"{value}"').texts == (
        TextFilter(field, value, exclude=True),)


def test_an_unquoted_field_value_is_one_word():
    assert parse_search("charter:foo bar") == SearchSyntax(
        words=("bar",), texts=(TextFilter("charter", "foo"),))


@pytest.mark.parametrize("text, expected", [
    ("nps>8", RangeFilter("max_nps", low=8, low_open=True)),
    ("maxnps>=8.5", RangeFilter("max_nps", low=8.5)),
    ("avgnps<4", RangeFilter("avg_nps", high=4, high_open=True)),
    ("year:1990..1999", RangeFilter("year", 1990, 1999)),
    ("year:2008", RangeFilter("year", 2008, 2008)),
    ("year=2008", RangeFilter("year", 2008, 2008)),
    ("length:..3:30", RangeFilter("length", high=210)),
    ("length>=120", RangeFilter("length", low=120)),
    ("len:60..", RangeFilter("length", low=60)),
    ("drums.tier>=4", RangeFilter("tier:drums", low=4)),
    ("diff_guitar:2..4", RangeFilter("tier:guitar", 2, 4)),
    ("diff_bassghl<=1", RangeFilter("tier:bassghl", high=1)),
    ("-year:1990..1999", RangeFilter("year", 1990, 1999, exclude=True)),
    ("modified>2024-05-01", RangeFilter("modified", low=datetime(2024, 5, 1, tzinfo=UTC),
                                        low_open=True)),
    ("updated:2024-05-01T12:00..", RangeFilter("modified",
                                               low=datetime(2024, 5, 1, 12, tzinfo=UTC))),
])
def test_ranges(text, expected):
    assert parse_search(text).ranges == (expected,)


@pytest.mark.parametrize("text, expected", [
    ("drums:expert", PartFilter("drums", "expert")),
    ("keys:any", PartFilter("keys")),
    ("-guitar:easy", PartFilter("guitar", "easy", exclude=True)),
    ("Bass:Hard", PartFilter("bass", "hard")),
])
def test_parts(text, expected):
    assert parse_search(text).parts == (expected,)


@pytest.mark.parametrize("written, flag", [
    ("solos", "solos"), ("forced", "forced"), ("open", "open"), ("taps", "taps"),
    ("lyrics", "lyrics"), ("vocals", "vocals"), ("rolls", "rolls"), ("2xkick", "double_kick"),
    ("issues", "issues"), ("video", "video"), ("modchart", "modchart")])
def test_each_flag_has_and_has_not(written, flag):
    assert parse_search(f"has:{written}").flags == ((flag, True),)
    assert parse_search(f"no:{written}").flags == ((flag, False),)
    assert parse_search(f"-has:{written}").flags == ((flag, False),)


def test_drum_types_by_name_or_short_name():
    assert parse_search("drumtype:pro -drumtype:fiveLane").drum_types == (
        ("fourLanePro", True), ("fiveLane", False))


def test_md5_lists_and_hashes():
    other = "f" * 32
    assert parse_search(f"md5:{MD5},{other.upper()}").md5s == (MD5, other)
    assert parse_search("charthash:abcDEF123_- trackhash:QUJDREVGRw==").hashes == (
        ("chart", "abcDEF123_-"), ("track", "QUJDREVGRw=="))


def test_the_issue_example_reads_as_five_filters():
    parsed = parse_search('artist:"iron maiden" -charter:foo nps>8 drums:expert '
                          "year:1990..1999")
    assert parsed == SearchSyntax(
        texts=(TextFilter("artist", "iron maiden"), TextFilter("charter", "foo", exclude=True)),
        ranges=(RangeFilter("max_nps", low=8, low_open=True), RangeFilter("year", 1990, 1999)),
        parts=(PartFilter("drums", "expert"),))


@pytest.mark.parametrize("text, says", [
    ('artist:"iron', "never closed"),
    ("artist:", "needs a value"),
    ("artist>3", r"takes “:” \(contains\) or “=” \(equals\)"),
    ("nps>fast", "“fast” is not a number"),
    ("nps:3:30", "only length takes minutes:seconds"),
    ("year:1999..1990", "starts above where it ends"),
    ("length:..", "needs at least one end"),
    ("drums:impossible", "takes a difficulty"),
    ("has:cowbell", "has: takes one of"),
    ("drumtype:six", "drumtype: takes one of"),
    ("md5:xyz", "32 hex digits"),
    ("charthash:a b", "takes one hash"),
    ("modified>yesterday", "is not a date"),
    ("colour:blue", "“colour” is not a field"),
    ("a b c d e f g h i", "At most 8 words"),
    ("x" * 501, "longer than 500"),
])
def test_malformed_queries_say_what_was_not_understood(text, says):
    with pytest.raises(BadSearchSyntax, match=says):
        parse_search(text)


def test_an_error_names_the_part_and_where_it_starts():
    with pytest.raises(BadSearchSyntax, match=r"“nps>fast” \(character 7\)"):
        parse_search("metal nps>fast")


_PIECES = st.sampled_from([
    "artist:", "-", '"', "..", ":", ">", ">=", "=", "nps", "year", "drums", "has:", "no:",
    "md5:", MD5, ",", "length", "3:30", "1990", "expert", " ", "modified", "2024-05-01",
    "charthash:", "diff_drums", "solos", "é", "\x00", "-1", "9" * 40, "1e400"])


@settings(max_examples=400)
@given(st.lists(_PIECES, max_size=12).map("".join) | st.text(max_size=60))
def test_any_text_parses_or_raises_only_the_named_error(text):
    try:
        parse_search(text)
    except BadSearchSyntax as error:
        assert str(error)
