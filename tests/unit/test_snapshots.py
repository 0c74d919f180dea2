"""A snapshot serves its last value at once and reads again, once, when it is too old."""

from __future__ import annotations

import asyncio

import pytest

from services.gateway.snapshots import Snapshot


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Counter:
    """A source whose every read returns the next number; `fail` makes reads raise."""

    def __init__(self) -> None:
        self.reads = 0
        self.fail = False

    async def __call__(self) -> int:
        await asyncio.sleep(0)
        if self.fail:
            raise ConnectionError("unreachable")
        self.reads += 1
        return self.reads


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_the_first_reader_waits_for_the_value_and_later_ones_read_nothing_new():
    source, clock = Counter(), Clock()
    snapshot = Snapshot(source, max_age=3, clock=clock)
    assert await snapshot.get() == 1
    clock.now = 2.9
    assert [await snapshot.get() for _ in range(50)] == [1] * 50
    await settle()
    assert source.reads == 1


async def test_a_value_too_old_is_still_served_while_it_is_read_again_once():
    source, clock = Counter(), Clock()
    snapshot = Snapshot(source, max_age=3, clock=clock)
    await snapshot.get()
    clock.now = 3.1
    assert await asyncio.gather(*[snapshot.get() for _ in range(10)]) == [1] * 10
    await settle()
    assert source.reads == 2
    assert await snapshot.get() == 2


async def test_readers_arriving_together_at_the_start_share_one_read():
    source = Counter()
    snapshot = Snapshot(source, max_age=3, clock=Clock())
    assert await asyncio.gather(*[snapshot.get() for _ in range(10)]) == [1] * 10
    assert source.reads == 1


async def test_a_failed_read_in_the_background_keeps_the_value_and_is_tried_again():
    source, clock = Counter(), Clock()
    snapshot = Snapshot(source, max_age=3, clock=clock)
    await snapshot.get()
    clock.now, source.fail = 4, True
    assert await snapshot.get() == 1
    await settle()
    source.fail = False
    assert await snapshot.get() == 1
    await settle()
    assert await snapshot.get() == 2


async def test_a_failing_first_read_fails_its_reader():
    source = Counter()
    source.fail = True
    with pytest.raises(ConnectionError):
        await Snapshot(source, max_age=3, clock=Clock()).get()
