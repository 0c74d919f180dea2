"""The match cache: another page or sort of a search reuses what the search matched, answers
exactly as a search without it does, and never answers from an index that has changed since."""

from __future__ import annotations

import random
import uuid

import pytest

from shared.persistence.library_query import LibraryQuery
from shared.search.index import IndexedSong, SongIndex
from shared.search.library_syntax import search_syntax
from shared.search.matches import MatchCache, find_matches, match_set

pytestmark = pytest.mark.unit
ROCK = {"genre": "Rock"}


def a_song(rng: random.Random, name: str, **fields) -> IndexedSong:
    values = {"artist": rng.choice(("Iron Maiden", "Storm", "Foo")),
              "genre": rng.choice(("Rock", "Metal", None)), "max_nps": rng.uniform(1, 20),
              "added": rng.uniform(1.5e9, 1.6e9), "parts": ("drums:expert",), **fields}
    return IndexedSong(id=str(uuid.UUID(int=rng.getrandbits(128))), name=name, **values)


@pytest.fixture
def index() -> SongIndex:
    rng = random.Random(5)
    built = SongIndex()
    for number in range(400):
        built.put(a_song(rng, f"Song {number:03d} {rng.choice(('dream', 'night', 'fire'))}"))
    return built


def ask(index: SongIndex, cache: MatchCache | None, **params: str):
    query = LibraryQuery.from_params(params)
    return find_matches(index, query, search_syntax(query), cache=cache)


@pytest.mark.parametrize("params", [ROCK, {"q": "dreem"}, {"q": "nps>5 -artist:storm"},
                                    {"versions": "all"}])
def test_every_page_and_sort_of_a_search_answers_as_without_the_cache(index, params):
    cache = MatchCache()
    for sort in ("name", "nps", "added"):
        for page in ("1", "2", "3"):
            asked = {**params, "sort": sort, "page": page, "per_page": "40"}
            assert ask(index, cache, **asked) == ask(index, None, **asked)
    assert (cache.misses, cache.hits) == (1, 8)  # matched once, then paged and sorted


def test_a_cursor_walk_answers_as_without_the_cache(index):
    cache, cursor, walked = MatchCache(), None, []
    while True:
        params = {"q": "fire", "sort": "nps", "per_page": "25",
                  **({"cursor": cursor} if cursor else {})}
        cached, uncached = ask(index, cache, **params), ask(index, None, **params)
        assert cached == uncached
        walked += cached.ids
        cursor = cached.next_cursor
        if cursor is None:
            break
    assert len(walked) == len(set(walked)) == cached.total


def test_a_song_added_or_removed_shows_at_once_despite_an_earlier_answer(index):
    cache = MatchCache()
    before = ask(index, cache, **ROCK, per_page="200")
    added = a_song(random.Random(9), "Brand New", genre="Rock")
    index.put(added)
    after = ask(index, cache, **ROCK, per_page="200")
    assert after.total == before.total + 1 and added.id in after.ids
    assert after.facets["genre"]["Rock"] == before.facets["genre"]["Rock"] + 1
    index.remove(added.id)
    assert ask(index, cache, **ROCK, per_page="200") == before
    assert cache.hits == 0


def test_an_edited_song_is_matched_as_it_is_now(index):
    cache = MatchCache()
    rock = ask(index, cache, **ROCK, per_page="200").ids
    song = rock[0]
    renamed = a_song(random.Random(3), "Completely Different", genre="Jazz")
    index.put(IndexedSong(**{**renamed.__dict__, "id": song}))
    assert song not in ask(index, cache, **ROCK, per_page="200").ids
    assert song in ask(index, cache, genre="jazz", per_page="200").ids


def test_the_cache_keeps_the_searches_asked_last_within_its_budget(index):
    one = match_set(index, search_syntax(LibraryQuery.from_params(ROCK)))
    cache = MatchCache(megabytes=2.5 * one.nbytes / 2**20)  # room for two such sets
    for genre in ("Rock", "Metal", "Rock", "Jazz", "Metal"):
        ask(index, cache, genre=genre)
    # Rock missed, Metal missed, Rock hit, Jazz missed (Metal out), Metal missed again.
    assert (cache.misses, cache.hits) == (4, 1)
    assert cache.held_bytes <= cache.budget


def test_no_budget_keeps_nothing(index):
    cache = MatchCache(megabytes=0)
    ask(index, cache, **ROCK)
    ask(index, cache, **ROCK, page="2")
    assert cache.hits == 0 and cache.held_bytes == 0
