"""The in-memory search index: each filter, facet counts, and pages by offset and by cursor."""

from __future__ import annotations

import random
import subprocess
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime

import numpy as np
import pytest

from shared.search.facets import facet_counts
from shared.search.index import FLAG_NAMES, IndexedSong, SongIndex, song_words
from shared.search.paging import SORTS, page
from shared.search.protocol import BadCursor, Order
from shared.search.syntax import parse_search
from shared.songs.events import DIFFICULTIES, INSTRUMENTS

GENRES = ("Rock", "Metal", "Pop", None)
WORDS = ("love", "night", "fire", "maiden", "iron", "storm", "zeta")


def song_id(number: int) -> str:
    return str(uuid.UUID(int=number * 7919 + 1))


def random_song(rng: random.Random, number: int) -> IndexedSong:
    parts = tuple(f"{i}:{d}" for i in rng.sample(INSTRUMENTS[:6], rng.randint(1, 3))
                  for d in DIFFICULTIES if d == "expert" or rng.random() < 0.5)
    return IndexedSong(
        id=song_id(number), name=" ".join(rng.sample(WORDS, rng.randint(1, 3))).title(),
        artist=rng.choice(("Iron Maiden", "Maiden United", "Zeta", "Storm")),
        album=rng.choice(("Live", None, "Powerslave")), genre=rng.choice(GENRES),
        year=rng.choice(("1984", "Released 1999", None)), charter=rng.choice(("foo", "Bar")),
        length=rng.choice((None, rng.uniform(30, 600))),
        year_number=rng.choice((None, rng.randint(1960, 2024))),
        max_nps=rng.uniform(1, 20), avg_nps=rng.choice((None, rng.uniform(1, 10))),
        modified=rng.uniform(1.6e9, 1.8e9), added=rng.uniform(1.5e9, 1.6e9),
        flags=frozenset(f for f in FLAG_NAMES if rng.random() < 0.3),
        drum_type=rng.choice(("fourLane", "fourLanePro", None)), parts=parts,
        tiers={i: rng.randint(0, 6) for i in INSTRUMENTS[:6] if rng.random() < 0.7})


@pytest.fixture
def songs() -> dict[str, IndexedSong]:
    rng = random.Random(5)
    return {song.id: song for song in (random_song(rng, n) for n in range(400))}


@pytest.fixture(params=["recent", "merged"])
def index(request, songs) -> SongIndex:
    """The songs as just added, or folded into the flat arrays."""
    built = SongIndex()
    for song in songs.values():
        built.put(song)
    if request.param == "merged":
        built.settle(force=True)
    return built


def ids(index: SongIndex, mask: np.ndarray) -> set[str]:
    return {index.id_of(slot) for slot in np.flatnonzero(mask)}


def matching(index: SongIndex, text: str) -> set[str]:
    return ids(index, index.matching(parse_search(text))[0])


def in_range(value, low, high) -> bool:
    return value is not None and low <= value <= high


EXPECTATIONS = {
    'artist:"iron maiden"': lambda s: "iron maiden" in s.artist.lower(),
    "artist=zeta": lambda s: s.artist.lower() == "zeta",
    "-artist:maiden": lambda s: "maiden" not in s.artist.lower(),
    "album:live": lambda s: "live" in (s.album or "").lower(),
    "genre=rock": lambda s: (s.genre or "").lower() == "rock",
    'year:"released"': lambda s: "released" in (s.year or "").lower(),
    "charter:fo": lambda s: s.charter == "foo",
    "name:storm": lambda s: "storm" in s.name.lower(),
    "year:1990..1999": lambda s: in_range(s.year_number, 1990, 1999),
    "-year:1990..1999": lambda s: not in_range(s.year_number, 1990, 1999),
    "nps>8": lambda s: s.max_nps > 8,
    "avgnps<=4": lambda s: in_range(s.avg_nps, 0, 4),
    "length:1:00..3:30": lambda s: in_range(s.length, 60, 210),
    "drums.tier>=4": lambda s: s.tiers.get("drums", -1) >= 4,
    "modified>2024-01-01": lambda s: s.modified > datetime(2024, 1, 1, tzinfo=UTC).timestamp(),
    "drums:expert": lambda s: "drums:expert" in s.parts,
    "-guitar:easy": lambda s: "guitar:easy" not in s.parts,
    "keys:any": lambda s: any(p.startswith("keys:") for p in s.parts),
    "drumtype:pro": lambda s: s.drum_type == "fourLanePro",
    "-drumtype:fourLane": lambda s: s.drum_type != "fourLane",
    "-love": lambda s: "love" not in s.name.lower().split(),
    **{f"has:{flag}": (lambda f: lambda s: f in s.flags)(name) for flag, name in (
        ("solos", "solos"), ("forced", "forced"), ("open", "open"), ("taps", "taps"),
        ("lyrics", "lyrics"), ("vocals", "vocals"), ("rolls", "rolls"),
        ("2xkick", "double_kick"), ("issues", "issues"), ("video", "video"),
        ("modchart", "modchart"))},
    "no:video": lambda s: "video" not in s.flags,
}


@pytest.mark.parametrize("text", EXPECTATIONS)
def test_each_filter_matches_exactly_the_songs_it_describes(index, songs, text):
    expected = {song.id for song in songs.values() if EXPECTATIONS[text](song)}
    assert expected and expected != set(songs)  # the filter tells songs apart
    assert matching(index, text) == expected


@pytest.mark.parametrize("text", EXPECTATIONS)
def test_each_filter_beside_a_typed_word_looks_only_at_the_songs_holding_it(index, songs, text):
    """With words, the filters read their columns at the songs holding the words only: the
    same songs as the filter over the whole library, narrowed to the word."""
    holding = {song.id for song in songs.values()
               if "maiden" in song_words([song.name, song.artist, song.album, song.genre,
                                          song.charter])}
    expected = {song_id for song_id in holding if EXPECTATIONS[text](songs[song_id])}
    assert expected and expected != holding  # the filter tells the word's songs apart
    mask, similarity = index.matching(parse_search(f"maiden {text}"), [{"maiden": 1.0}])
    assert ids(index, mask) == expected
    assert set(similarity[mask]) == {1.0}


def test_filters_combine(index, songs):
    expected = {s.id for s in songs.values() if "maiden" in s.artist.lower()
                and s.max_nps > 8 and "drums:expert" in s.parts}
    assert matching(index, "artist:maiden nps>8 drums:expert") == expected


def test_words_need_a_lookalike_of_each_longer_word_and_rank_by_similarity(index, songs):
    mask, similarity = index.matching(parse_search("lvoe mayden"),
                                      [{"love": 0.6}, {"maiden": 0.5, "maidens": 0.4}])
    expected = {s.id for s in songs.values() if "love" in s.name.lower().split()
                and "maiden" in f"{s.name} {s.artist}".lower().split()}
    assert ids(index, mask) == expected
    best = [s for s in expected if "maiden" in songs[s].name.lower()]
    assert similarity[index.slot_of(best[0])] == pytest.approx(0.55)


def test_typed_words_find_their_typos_and_starts_in_the_index(index, songs):
    mask, similarity = index.matching(parse_search("lvoe mayden"))
    expected = {s.id for s in songs.values() if {"love", "maiden"}
                <= set(f"{s.name} {s.artist}".lower().split())}
    assert ids(index, mask) == expected
    assert set(np.round(similarity[mask], 4)) == {round((0.75 + 5 / 6) / 2, 4)}
    assert index.lookalikes(["mai", "lo", "storm"]) == [
        {"maiden": pytest.approx(0.45)}, {"love": 0.5}, {"storm": 1.0}]


def test_only_ids_restricts_to_songs_found_by_hash(index):
    mask, _ = index.matching(parse_search(""), only_ids=[song_id(3), song_id(7), song_id(9999)])
    assert ids(index, mask) == {song_id(3), song_id(7)}


def test_an_edit_moves_the_song_between_words_and_a_removal_hides_it(index, songs):
    song = songs[song_id(1)]
    index.put(IndexedSong(**{**song.__dict__, "name": "Quietude", "artist": "Nobody"}))
    assert song.id in ids(index, index.matching(parse_search(""), [{"quietude": 1.0}])[0])
    assert song.id not in matching(index, "artist:maiden")
    index.remove(song.id)
    assert song.id not in matching(index, "")
    assert len(index) == len(songs) - 1


def test_facet_counts_match_the_songs_found(index, songs):
    mask = index.matching(parse_search("nps>5 -artist:storm"))[0]
    found = [songs[i] for i in ids(index, mask)]
    facets = facet_counts(index, mask, top=100)
    assert facets["instrument"] == dict(Counter(
        i for s in found for i in {p.split(":")[0] for p in s.parts}))
    assert facets["difficulty"] == dict(Counter(
        d for s in found for d in {p.split(":")[1] for p in s.parts}))
    assert facets["genre"] == dict(Counter(s.genre for s in found if s.genre))
    assert facets["charter"] == dict(Counter(s.charter for s in found))
    assert facets["decade"] == dict(Counter(
        f"{s.year_number // 10 * 10}s" for s in found if s.year_number is not None))


def reference_order(songs, order: Order) -> list[str]:
    def title(s):
        return (s.name.lower(), s.id)

    def key(s):
        if order.sort in ("name", "artist", "album"):
            text = {"name": s.name, "artist": s.artist, "album": s.album}[order.sort]
            return (text is None, text.lower() if text else "", *title(s))
        value = {"year": s.year_number, "length": s.length, "added": s.added,
                 "nps": s.max_nps, "modified": s.modified}[order.sort]
        return (value is None, value or 0, *title(s))

    known = sorted((s for s in songs.values() if key(s)[0] is False), key=key,
                   reverse=order.descending)
    unknown = sorted((s for s in songs.values() if key(s)[0]), key=key,
                     reverse=order.descending)
    return [s.id for s in known + unknown]


@pytest.mark.parametrize("sort", [s for s in SORTS if s != "relevance"])
@pytest.mark.parametrize("descending", [False, True])
def test_pages_by_offset_and_by_cursor_follow_the_sort(index, songs, sort, descending):
    order = Order(sort, descending)
    expected = reference_order(songs, order)
    mask = index.matching(parse_search(""))[0]
    assert [i for n in range(0, 400, 70) for i in page(index, mask, order, 70, n).ids] == expected
    walked, cursor = [], None
    while True:
        found = page(index, mask, order, 70, after=cursor)
        walked += found.ids
        if found.next_cursor is None:
            break
        cursor = found.next_cursor
    assert walked == expected


def test_a_cursor_walk_over_a_changing_library_sees_every_lasting_song_once(index, songs):
    rng = random.Random(9)
    order, cursor, seen = Order("name"), None, []
    lasting = set(songs)
    for step in range(100):
        current = index.matching(parse_search(""))[0]
        found = page(index, current, order, 25, after=cursor)
        seen += found.ids
        added = random_song(rng, 1000 + step)
        index.put(added)
        gone = rng.choice(sorted(lasting))
        index.remove(gone)
        lasting.discard(gone)
        if found.next_cursor is None:
            break
        cursor = found.next_cursor
    assert len(seen) == len(set(seen))
    assert lasting <= set(seen)


def test_a_cursor_from_another_sort_or_made_up_is_refused(index):
    mask = index.matching(parse_search(""))[0]
    cursor = page(index, mask, Order("name"), 10).next_cursor
    with pytest.raises(BadCursor):
        page(index, mask, Order("year"), 10, after=cursor)
    with pytest.raises(BadCursor):
        page(index, mask, Order("name"), 10, after="not-a-cursor")


def test_typos_find_words_merged_on_their_own_as_songs_arrive(songs):
    """Merges a bulk load makes along the way leave the lookalike table to the next lookup;
    that lookup sees every word merged so far."""
    built = SongIndex(merge_words_after=20)
    for song in songs.values():
        built.put(song)
    assert built.lookalikes(["mayden"]) == [{"maiden": pytest.approx(5 / 6)}]
    built.put(IndexedSong(id=song_id(9001), name="Quietude"))
    for number in range(9002, 9700):  # pairs enough to merge again (a quarter of those held)
        built.put(IndexedSong(id=song_id(number), name=f"Filler {number}"))
    assert "quietude" in built.lookalikes(["quietdue"])[0]
    assert ids(built, built.matching(parse_search("quietdue"))[0]) == {song_id(9001)}


def test_loading_and_searching_the_index_leaves_numpys_masked_arrays_unloaded():
    """`numpy.ma` (1.5 MB the index never uses) stays out of the gateway: `np.unique` would
    load it on its first call."""
    code = """
import sys
from shared.search.index import IndexedSong, SongIndex
from shared.search.syntax import parse_search
index = SongIndex(merge_words_after=2)
for number, name in enumerate(["Iron Maiden", "Night Fire", "Iron Storm", "Maiden Voyage"]):
    index.put(IndexedSong(id=f"00000000-0000-0000-0000-00000000000{number}", name=name))
index.settle(force=True)
assert index.lookalikes(["mayden"]) == [{"maiden": 5 / 6}], index.lookalikes(["mayden"])
assert index.matching(parse_search("mayden"))[0].sum() == 2
print("numpy.ma" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("merged", [False, True])
def test_a_song_holding_several_lookalikes_of_a_word_counts_the_best_one(merged):
    index = SongIndex()
    index.put(IndexedSong(id=song_id(1), name="Maiden Maidens", artist="Band"))
    index.put(IndexedSong(id=song_id(2), name="Maidens", artist="Band"))
    index.put(IndexedSong(id=song_id(3), name="Elsewhere", artist="Band"))
    if merged:
        index.settle(force=True)
    for scores, expected in (({"maiden": 0.5, "maidens": 0.8}, (0.8, 0.8)),
                             ({"maiden": 0.9, "maidens": 0.3}, (0.9, 0.3))):
        mask, similarity = index.matching(parse_search("maidn band"), [scores, {"band": 1.0}])
        assert ids(index, mask) == {song_id(1), song_id(2)}
        assert [similarity[index.slot_of(song_id(n))] for n in (1, 2)] == pytest.approx(
            [(expected[0] + 1) / 2, (expected[1] + 1) / 2])
