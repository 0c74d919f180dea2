"""Library search on the real PostgreSQL, over songs cataloged from real corpus scans."""

from __future__ import annotations

import dataclasses
import uuid

import pytest
from sqlalchemy import select

from shared.events import SongParsed
from shared.persistence import songs
from shared.persistence.db import transaction
from shared.persistence.library import (
    LibraryQuery,
    duplicate_groups,
    matching_song_paths,
    search_library,
)
from shared.persistence.library_totals import library_totals
from shared.persistence.tables import SongChart
from shared.songs.scan import scan_song

DONNAKEN = "donnaken15-charts"
# (corpus folder, overrides of what its song.ini says), one song each.
LIBRARY = {
    "amazing": (f"{DONNAKEN}/Amazing", {}),
    "amazing_copy": (f"{DONNAKEN}/Amazing", {}),  # the same chart in another folder
    "bury": (f"{DONNAKEN}/Johnny Booth - Bury the Rose", {}),
    "asym": (f"{DONNAKEN}/Johnny Booth - Asymmetrical", {}),
    # Another charter's take on the same song: a different chart under the same title.
    "asym_rbn": (f"{DONNAKEN}/Johnny Booth - Asymmetrical/RBN",
                 {"name": "Asymmetrical", "artist": "Johnny Booth", "year": "2019",
                  "charter": "Harmonix"}),
    "abomination": (f"{DONNAKEN}/Venetian Snares - Abomination Street", {}),
    "aldebaran": ("chorus-tests/charts/aldebaran", {}),
    "dreamer": (f"{DONNAKEN}/Toriena - Future Dreamer", {}),
    "paranoid": (f"{DONNAKEN}/Radiohead - Paranoid Android", {}),
}


@pytest.fixture(scope="module")
def library(sessions, corpus) -> dict[str, uuid.UUID]:
    """The songs above, cataloged; every title and charter carries this module's token."""
    token = uuid.uuid4().hex[:10]
    ids = {}
    for key, (folder, overrides) in LIBRARY.items():
        files = {p.name: p.read_bytes() for p in sorted((corpus / folder).iterdir())
                 if p.is_file()}
        if key == "paranoid":
            files["video.webm"] = b"\x1a\x45\xdf\xa3 not really a video"
        event = _parsed(scan_song(files).as_dict(), overrides, token)
        with transaction(sessions) as session:
            assert isinstance(songs.record_parsed(session, event), songs.Cataloged)
        ids[key] = event.song_id
    ids["token"] = token
    return ids


def _parsed(scan: dict, overrides: dict, token: str) -> SongParsed:
    """A parse consumer's event for `scan`, unique to this module run."""
    song_id = uuid.uuid4()
    # Chart hashes get the token too, so songs cataloged by other tests never count as copies.
    scan = {**scan, "chartHash": f"{scan['chartHash']}~{token}"}
    values = {key: scan.get(key) for key in ("name", "artist", "album", "genre", "year",
                                             "charter")}
    values.update(overrides)
    # Titles too: other tests catalog the same corpus songs, which would be title duplicates.
    values["name"] = f"{values['name'] or 'Untitled'} ({token})"
    values["charter"] = f"{values['charter'] or 'Unknown'} #{token}"
    length = scan.get("song_length")
    return SongParsed(
        event_id=SongParsed.id_for(song_id, 1, 1), song_id=song_id,
        manifest_key=f"manifests/{song_id}/1.json", md5=uuid.uuid4().hex, parser_version=1,
        song_length_ms=int(length) if length is not None else None,
        chart_file=scan.get("chartFile"), scan=scan, **values)


def scoped(library, **filters) -> LibraryQuery:
    """A query over this module's songs only (other tests share the database)."""
    return LibraryQuery(charter=filters.pop("charter", f"#{library['token']}"), **filters)


def found(sessions, query: LibraryQuery) -> list[uuid.UUID]:
    with sessions() as session:
        return [uuid.UUID(item["id"]) for item in search_library(session, query).items]


def names_of(library, ids) -> set[str]:
    by_id = {value: key for key, value in library.items()}
    return {by_id[song_id] for song_id in ids}


def test_a_search_with_a_typo_finds_the_song_first(sessions, library):
    results = found(sessions, scoped(library, text="paranid andriod"))
    assert results[0] == library["paranoid"]


def test_a_search_for_an_artist_with_a_typo_finds_all_their_songs(sessions, library):
    results = found(sessions, scoped(library, text="venetain snares"))
    assert names_of(library, results) == {"abomination"}


def test_a_short_slip_among_longer_words_still_finds_the_song(sessions, library):
    results = found(sessions, scoped(library, text="burry teh rose"))
    assert results[0] == library["bury"]


def test_every_word_of_a_newly_cataloged_song_is_searchable(sessions, library):
    # The module's token is a word no song had before this module cataloged its songs.
    results = found(sessions, scoped(library, text=library["token"]))
    assert len(results) == len(LIBRARY)


def test_a_search_of_only_punctuation_finds_nothing(sessions, library):
    assert found(sessions, scoped(library, text="?!")) == []


def test_each_filter_narrows_the_library(sessions, library):
    cases = {
        "instrument": ({"instrument": "keys"}, {"amazing", "amazing_copy", "dreamer"}),
        "difficulty": ({"instrument": "drums", "difficulty": "expert"},
                       {"amazing", "amazing_copy", "bury", "asym", "asym_rbn", "abomination"}),
        "drum type": ({"drum_type": "fourLanePro"}, {"abomination"}),
        "lyrics": ({"has_lyrics": True}, {"asym_rbn", "abomination", "aldebaran"}),
        "solos": ({"has_solos": True, "instrument": "guitar"}, {"bury", "asym_rbn"}),
        "taps": ({"has_taps": True}, {"aldebaran", "dreamer"}),
        "open notes": ({"has_open_notes": True}, {"aldebaran", "dreamer"}),
        "video": ({"has_video": True}, {"paranoid"}),
        "length": ({"min_length_s": 30, "max_length_s": 40}, {"amazing", "amazing_copy"}),
        "years": ({"min_year": 2017, "max_year": 2019}, {"bury", "asym", "asym_rbn",
                                                         "dreamer"}),
        "genre": ({"genre": "ROCK"}, {"amazing", "amazing_copy", "paranoid", "aldebaran"}),
        "charter": ({"charter": f"Harmonix #{library['token']}"}, {"asym_rbn"}),
    }
    everything = set(names_of(library, found(sessions, scoped(library, per_page=200))))
    assert everything == set(LIBRARY)
    for what, (filters, expected) in cases.items():
        assert names_of(library, found(sessions, scoped(library, **filters))) == expected, what


def test_songs_without_issues_can_be_told_apart(sessions, library):
    with_issues = set(found(sessions, scoped(library, has_issues=True)))
    without = set(found(sessions, scoped(library, has_issues=False)))
    assert with_issues and not with_issues & without


def test_the_same_chart_in_two_folders_is_found_and_labelled(sessions, library):
    with sessions() as session:
        page = search_library(session, scoped(library, duplicates="chart"))
    assert names_of(library, [uuid.UUID(i["id"]) for i in page.items]) == {
        "amazing", "amazing_copy"}
    assert all(item["duplicates"]["same_chart"] == 1 for item in page.items)
    assert page.items[0]["duplicates"]["labels"] == ["Same chart as 1 other song"]


def test_the_same_song_charted_twice_is_found_and_labelled(sessions, library):
    with sessions() as session:
        page = search_library(session, scoped(library, duplicates="title"))
        groups = duplicate_groups(session, "title", limit=10_000)
    assert names_of(library, [uuid.UUID(i["id"]) for i in page.items]) == {"asym", "asym_rbn"}
    assert [item["duplicates"]["other_charts"] for item in page.items] == [1, 1]
    mine = [g for g in groups if library["token"] in g.key]
    assert len(mine) == 1 and {s["id"] for s in mine[0].songs} == {
        str(library["asym"]), str(library["asym_rbn"])}


def test_chart_duplicate_groups_hold_every_copy(sessions, library):
    with sessions() as session:
        groups = duplicate_groups(session, "chart", limit=10_000)
    mine = [g for g in groups if g.key.endswith(library["token"])]
    assert [len(g.songs) for g in mine] == [2]


def test_sorting_and_paging_walk_the_whole_result_in_order(sessions, library):
    query = scoped(library, sort="year", descending=True, per_page=4)
    pages = []
    with sessions() as session:
        for number in (1, 2, 3):
            page = search_library(session, dataclasses.replace(query, page=number))
            assert page.total == len(LIBRARY)
            pages.append(page.items)
    assert [len(p) for p in pages] == [4, 4, 1]
    years = [item["year"] for page in pages for item in page]
    numeric = [int(y) for y in years if y and y.isdigit()]
    assert numeric == sorted(numeric, reverse=True)
    assert len({item["id"] for page in pages for item in page}) == len(LIBRARY)


@pytest.mark.parametrize("sort", ["name", "artist", "album", "length", "added", "nps"])
def test_every_sort_gives_every_song_once(sessions, library, sort):
    for descending in (False, True):
        results = found(sessions, scoped(library, sort=sort, descending=descending))
        assert sorted(map(str, results)) == sorted(str(library[k]) for k in LIBRARY)


def test_items_carry_difficulty_badges_per_instrument(sessions, library):
    with sessions() as session:
        item = search_library(session, scoped(library, text="bury the rose")).items[0]
        rows = session.execute(select(SongChart.instrument).where(
            SongChart.song_id == library["bury"])).scalars().all()
    assert item["id"] == str(library["bury"])
    assert [badge["instrument"] for badge in item["parts"]] == ["guitar", "bass", "drums"]
    drums = item["parts"][2]
    assert drums["tier"] == 4 and drums["difficulties"] == ["expert"]
    assert drums["notes"]["expert"] > 1000
    assert sorted(rows) == ["bass", "drums", "guitar"]
    assert item["album_art_file"] and item["has_solos"] is True


def test_totals_count_songs_artists_and_instruments(sessions, library):
    with sessions() as session:
        totals = library_totals(session)
    assert totals.songs >= len(LIBRARY)
    assert totals.instruments["drums"] >= 6
    assert totals.hours > 0 and totals.artists >= 6


@pytest.mark.parametrize("params", [{"q": "johnny booth"}, {"instrument": "drums"}, {}])
def test_a_selections_songs_are_every_page_of_its_search_in_one_statement(sessions, library,
                                                                         params):
    query = LibraryQuery.from_params({**params, "per_page": "2"})
    with sessions() as session:
        paged, page = {}, 1
        while True:
            result = search_library(session, dataclasses.replace(query, page=page))
            paged.update((item["id"], item["file_path"]) for item in result.items)
            if not result.items:
                break
            page += 1
        assert matching_song_paths(session, query) == paged
    assert paged or not params  # the searches here each find something
