"""The search index's memory: the bytes its arrays keep per song, and the room a load takes
for a moment while it folds the songs into them (the gateway's peak, not only its size)."""

from __future__ import annotations

import random
import tracemalloc
import uuid

import numpy as np
import pytest

from shared.search.index import IndexedSong, SongIndex

pytestmark = pytest.mark.unit

SYLLABLES = ("ka", "ri", "mo", "ne", "ta", "vo", "lu", "shi", "ber", "gon", "dra", "fel")
SONGS = 5000


def array_bytes(value: object, seen: set[int] | None = None) -> int:
    """The bytes of every numpy array reachable from `value`'s attributes, counted once."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, np.ndarray):
        return value.nbytes
    if isinstance(value, dict):
        return sum(array_bytes(item, seen) for item in value.values())
    if isinstance(value, list | tuple):
        return sum(array_bytes(item, seen) for item in value)
    if hasattr(value, "__dict__"):
        return sum(array_bytes(item, seen) for item in vars(value).values())
    return 0


@pytest.fixture(scope="module")
def loaded() -> tuple[SongIndex, int]:
    """An index of SONGS songs with three-word titles (13,000 distinct words) as a load
    leaves it, and the most memory traced while the load folded them in."""
    rng = random.Random(3)

    def word() -> str:
        return "".join(rng.choices(SYLLABLES, k=rng.randint(2, 5)))

    index = SongIndex()
    for _ in range(SONGS):
        index.put(IndexedSong(id=str(uuid.UUID(int=rng.getrandbits(128))),
                              name=" ".join(word() for _ in range(3)), artist=word(),
                              album=word()), new=True)
    tracemalloc.start()
    try:
        index.settle(force=True)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return index, peak


def test_the_index_keeps_at_most_520_bytes_of_arrays_per_song(loaded):
    index, _ = loaded
    assert array_bytes(index) / SONGS <= 520  # 626 with 64-bit typo keys and id slots


def test_the_typo_table_keeps_8_bytes_an_entry_and_the_id_lookup_20_a_song(loaded):
    index, _ = loaded
    words, ids = index.words, index.ids
    assert (words._delete_keys.nbytes + words._delete_words.nbytes
            == 8 * len(words._delete_keys) > 0)
    assert ids._sorted_high.nbytes + ids._sorted_low.nbytes + ids._sorted_slots.nbytes \
        == 20 * SONGS


def test_folding_a_load_in_takes_less_than_half_again_what_the_index_keeps(loaded):
    """Pairs and typo entries are sorted as single numbers, in place: no sort order beside
    them (2.9 times the index's arrays when they were)."""
    index, peak = loaded
    assert peak < 1.5 * array_bytes(index)
