"""Version groups in the search index: one row per song (its newest matching version), facet
counts per song that agree with the rows a narrowed search shows, pages and cursors over the
rows, and a link or a split seen as soon as the index hears of it."""

from __future__ import annotations

import dataclasses
import random
import uuid
from collections import Counter

import numpy as np
import pytest

from shared.persistence.library_query import BadLibraryQuery, LibraryQuery
from shared.search.facets import facet_counts
from shared.search.groups import GroupedMatches
from shared.search.index import IndexedSong, SongIndex
from shared.search.library_syntax import search_syntax
from shared.search.paging import page
from shared.search.protocol import Order
from shared.search.syntax import BadSearchSyntax, parse_search
from shared.songs.events import DIFFICULTIES

pytestmark = pytest.mark.unit
INSTRUMENTS = ("guitar", "bass", "drums", "keys")
SEARCHES = ("", "nps>5", "drums:expert", "artist:maiden", "has:solos", "genre=rock nps<12",
            "difficulty:easy -keys:any")


def an_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128)))


def a_version(rng: random.Random, group: str, name: str, added: float) -> IndexedSong:
    parts = tuple(f"{i}:{d}" for i in rng.sample(INSTRUMENTS, rng.randint(1, 3))
                  for d in DIFFICULTIES if d == "expert" or rng.random() < 0.4)
    return IndexedSong(
        id=an_id(rng), name=name, artist=rng.choice(("Iron Maiden", "Storm")),
        genre=rng.choice(("Rock", "Metal", None)), charter=rng.choice(("foo", "Bar", "Baz")),
        year_number=rng.choice((None, 1985, 1999, 2011)), max_nps=rng.uniform(1, 20),
        added=added, flags=frozenset({"solos"} if rng.random() < 0.4 else ()), parts=parts,
        group=group)


@pytest.fixture
def songs() -> dict[str, IndexedSong]:
    """300 songs of one to four versions each; some versions added at the same moment."""
    rng = random.Random(16)
    found = {}
    for number in range(300):
        group, moment = an_id(rng), rng.uniform(1.5e9, 1.6e9)
        for _ in range(rng.choice((1, 1, 2, 3, 4))):
            added = moment if rng.random() < 0.2 else rng.uniform(1.5e9, 1.6e9)
            song = a_version(rng, group, f"Song {number:03d}", added)
            found[song.id] = song
    return found


@pytest.fixture(params=["recent", "merged"])
def index(request, songs) -> SongIndex:
    built = SongIndex()
    for song in songs.values():
        built.put(song)
    if request.param == "merged":
        built.settle(force=True)
    return built


def ids(index: SongIndex, mask: np.ndarray) -> set[str]:
    return {index.id_of(slot) for slot in np.flatnonzero(mask)}


def newest_of_each_group(found: list[IndexedSong]) -> set[str]:
    """The reference: per group, the version added last, then the highest id."""
    groups: dict[str, list[IndexedSong]] = {}
    for song in found:
        groups.setdefault(song.group or song.id, []).append(song)
    return {max(members, key=lambda s: (s.added, s.id)).id for members in groups.values()}


def rows(index: SongIndex, text: str) -> tuple[np.ndarray, GroupedMatches]:
    mask = index.matching(parse_search(text))[0]
    grouped = GroupedMatches(index, mask)
    return grouped.representatives(), grouped


@pytest.mark.parametrize("text", SEARCHES)
def test_each_song_shows_once_as_its_newest_version_that_matches(index, songs, text):
    mask = index.matching(parse_search(text))[0]
    found = [songs[i] for i in ids(index, mask)]
    shown = ids(index, GroupedMatches(index, mask).representatives())
    assert shown == newest_of_each_group(found)
    assert len(shown) == len({s.group for s in found}) < len(found)


def test_versions_added_at_the_same_moment_show_the_highest_id(songs):
    index, group = SongIndex(), str(uuid.uuid4())
    versions = [IndexedSong(id=str(uuid.UUID(int=n)), name="Tied", added=5.0, group=group)
                for n in (7, 3, 9, 1)]
    for version in versions:
        index.put(version)
    index.put(IndexedSong(id=str(uuid.UUID(int=2)), name="Older", added=4.0, group=group))
    assert ids(index, rows(index, "")[0]) == {str(uuid.UUID(int=9))}
    assert ids(index, rows(index, "name:older")[0]) == {str(uuid.UUID(int=2))}


@pytest.mark.parametrize("text", SEARCHES)
def test_facets_count_songs_and_each_count_is_what_the_narrowed_search_shows(index, songs,
                                                                             text):
    mask = index.matching(parse_search(text))[0]
    grouped = GroupedMatches(index, mask)
    facets = facet_counts(index, mask, top=100, grouped=grouped)
    found = [songs[i] for i in ids(index, mask)]

    def groups_with(has) -> int:
        return len({s.group for s in found if has(s)})

    assert facets["instrument"] == {i: n for i in INSTRUMENTS if (n := groups_with(
        lambda s, i=i: any(p.startswith(f"{i}:") for p in s.parts)))}
    assert facets["difficulty"] == {d: n for d in reversed(DIFFICULTIES) if (n := groups_with(
        lambda s, d=d: any(p.endswith(f":{d}") for p in s.parts)))}
    assert facets["genre"] == dict(Counter(g for g, _ in {(s.genre, s.group) for s in found
                                                          if s.genre}))
    assert facets["charter"] == dict(Counter(c for c, _ in {(s.charter, s.group)
                                                            for s in found}))
    assert facets["decade"] == dict(Counter(f"{y // 10 * 10}s" for y, _ in {
        (s.year_number, s.group) for s in found if s.year_number is not None}))
    narrowing = {"instrument": "{}:any", "genre": "genre={}", "charter": "charter={}"}
    for facet, syntax in narrowing.items():
        for value, count in facets[facet].items():
            narrowed = rows(index, f"{text} {syntax.format(value)}")[0]
            assert np.count_nonzero(narrowed) == count, (facet, value)


def test_every_version_counts_when_the_search_asks_for_every_version(index, songs):
    mask = index.matching(parse_search(""))[0]
    facets = facet_counts(index, mask, top=100)
    assert sum(facets["charter"].values()) == len(songs)
    grouped = facet_counts(index, mask, top=100, grouped=GroupedMatches(index, mask))
    assert sum(grouped["charter"].values()) < len(songs)


@pytest.mark.parametrize("order", [Order("name"), Order("added", True), Order("nps")])
def test_pages_by_offset_and_by_cursor_walk_the_rows_once_each(index, songs, order):
    shown, _ = rows(index, "")
    expected = newest_of_each_group(list(songs.values()))
    by_offset = [i for n in range(0, 400, 35) for i in page(index, shown, order, 35, n).ids]
    walked, cursor = [], None
    while True:
        found = page(index, shown, order, 35, after=cursor)
        walked += found.ids
        assert found.total == len(expected)
        if found.next_cursor is None:
            break
        cursor = found.next_cursor
    assert walked == by_offset and set(walked) == expected and len(walked) == len(expected)
    assert len({songs[i].group for i in walked}) == len(walked)


def instrument_facet(index: SongIndex) -> dict[str, int]:
    mask = index.matching(parse_search(""))[0]
    return facet_counts(index, mask, grouped=GroupedMatches(index, mask))["instrument"]


def test_a_link_and_a_split_change_the_rows_once_the_index_hears_of_them():
    index = SongIndex()
    first = IndexedSong(id=str(uuid.uuid4()), name="Aces High", added=1.0,
                        parts=("guitar:expert",))
    second = IndexedSong(id=str(uuid.uuid4()), name="Aces High (Live)", added=2.0,
                         parts=("guitar:expert", "drums:hard"))
    index.put(first)
    index.put(second)
    assert ids(index, rows(index, "aces")[0]) == {first.id, second.id}
    index.put(IndexedSong(**{**second.__dict__, "group": first.id}))  # linked
    assert ids(index, rows(index, "aces")[0]) == {second.id}
    assert instrument_facet(index) == {"guitar": 1, "drums": 1}
    index.put(IndexedSong(**{**second.__dict__, "group": str(uuid.uuid4())}))  # split
    assert ids(index, rows(index, "aces")[0]) == {first.id, second.id}
    assert instrument_facet(index) == {"guitar": 2, "drums": 1}
    index.remove(second.id)
    assert ids(index, rows(index, "")[0]) == {first.id}


def test_versions_all_in_the_search_box_or_as_a_parameter():
    assert parse_search("aces versions:all").versions == "all"
    assert parse_search("aces versions=grouped").versions == "grouped"
    assert parse_search("aces").versions is None
    for bad in ("versions:some", "-versions:all", "versions>all"):
        with pytest.raises(BadSearchSyntax, match="versions: takes grouped or all"):
            parse_search(bad)
    query = LibraryQuery.from_params({"q": "aces", "versions": "all"})
    assert query.to_params() == {"q": "aces", "versions": "all"}
    assert search_syntax(query).versions == "all"
    typed = LibraryQuery.from_params({"q": "aces versions:grouped", "versions": "all"})
    assert search_syntax(typed).versions == "grouped"  # what is typed wins
    assert search_syntax(LibraryQuery(text="aces")).versions is None
    with pytest.raises(BadLibraryQuery, match="versions"):
        LibraryQuery(versions="some")


def test_the_duplicates_view_and_hash_lookups_show_every_copy_unless_told_otherwise():
    assert search_syntax(LibraryQuery(duplicates="chart")).versions == "all"
    assert search_syntax(LibraryQuery(md5="0" * 32)).versions == "all"
    assert search_syntax(LibraryQuery(chart_hash="abc")).versions == "all"
    assert search_syntax(LibraryQuery(duplicates="title", versions="grouped")).versions \
        == "grouped"


def test_the_index_groups_songs_as_their_group_ids_do_whatever_the_order_of_changes():
    """Groups named by their first song's id (as the catalog names them) or by an id of their
    own (a split's), songs put in any order, moved, removed and their slots reused."""
    rng = random.Random(19)
    songs = [IndexedSong(id=an_id(rng), name=f"Song {n}") for n in range(300)]
    group_of: dict[str, str | None] = {}
    for song in songs:
        roll = rng.random()
        if roll < 0.4 or not group_of:
            group_of[song.id] = rng.choice((None, song.id))
        elif roll < 0.8:
            group_of[song.id] = rng.choice(songs).id  # named by a song, perhaps not yet put
        else:
            group_of[song.id] = rng.choice([g for g in group_of.values() if g] or [song.id])
    index = SongIndex()
    for step in range(3):
        for song in rng.sample(songs, len(songs)):
            if rng.random() < 0.1 and index.slot_of(song.id) is not None:
                index.remove(song.id)
            else:
                if step and rng.random() < 0.2:  # an admin's link or split
                    group_of[song.id] = rng.choice([*group_of.values(), an_id(rng)])
                index.put(dataclasses.replace(song, group=group_of[song.id]))
        by_code: dict[int, set[str]] = {}
        for slot in np.flatnonzero(index.alive.view(index.size)):
            by_code.setdefault(int(index.groups.codes.values[slot]), set()).add(
                index.id_of(slot))
        by_group: dict[str, set[str]] = {}
        for song_id in set().union(*by_code.values()):
            by_group.setdefault(group_of[song_id] or song_id, set()).add(song_id)
        assert sorted(map(sorted, by_code.values())) == sorted(map(sorted, by_group.values()))
