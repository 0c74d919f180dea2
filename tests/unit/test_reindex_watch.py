"""A waiting reindex ends when each song it sent is read again or has failed."""

from __future__ import annotations

import uuid

import pytest

from services.catalog.reindex_watch import ReindexWatch
from shared.events import SongFailed

pytestmark = pytest.mark.unit


def failed(song_id: uuid.UUID, stage: str = "parse") -> SongFailed:
    return SongFailed.about(song_id, 1, stage, stage=stage, reason="Its stored files are gone.")


def test_a_failed_re_read_counts_as_done_and_keeps_its_reason():
    first, second, third = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    watch = ReindexWatch(frozenset({first, second, third}))
    assert watch.done([first, second, third]) == 0
    watch.saw(failed(second))
    assert watch.waiting_for([first, second]) == {first}
    assert watch.done([first, second]) == 2
    assert watch.failures == {second: "Its stored files are gone."}


def test_failures_of_other_songs_or_other_stages_change_nothing():
    song = uuid.uuid4()
    watch = ReindexWatch(frozenset({song}))
    watch.saw(failed(uuid.uuid4()))
    watch.saw(failed(song, stage="publish"))
    assert watch.failures == {} and watch.waiting_for([song]) == {song}


def test_songs_read_by_the_current_parser_are_done():
    song = uuid.uuid4()
    assert ReindexWatch(frozenset({song})).done([]) == 1
