"""Unpacking waits while the staging folder holds as many uploads as it may: it goes on once
one of them ends (its area is removed), at once for an upload already staged, and after its
longest wait even if none ends; operators see how many wait."""

from __future__ import annotations

import uuid
from pathlib import Path

import anyio
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from services.ingest.staging import StagingArea
from services.ingest.staging_room import room_to_unpack


def waiting_uploads() -> float:
    return REGISTRY.get_sample_value("chhub_staging_waiting_uploads")


def staged(root: Path, count: int) -> list[StagingArea]:
    areas = [StagingArea(root, uuid.uuid4()) for _ in range(count)]
    for area in areas:
        (area.tree / "Song").mkdir(parents=True)
    return areas


async def test_unpacking_waits_until_an_upload_staged_before_it_ends(tmp_path):
    held = staged(tmp_path, 3)
    waited: list[bool] = []
    next_upload = StagingArea(tmp_path, uuid.uuid4())

    async def unpack_next() -> None:
        waited.append(await room_to_unpack(next_upload, 3, look_every=0.01))

    waiting_before = waiting_uploads()
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(unpack_next)
        await anyio.sleep(0.3)
        assert waited == [], "three uploads staged: the fourth waits"
        assert waiting_uploads() == waiting_before + 1  # and operators see it
        held[1].remove()  # that upload ended
        with anyio.fail_after(5):
            while not waited:
                await anyio.sleep(0.01)
    assert waited == [True]
    assert waiting_uploads() == waiting_before


async def test_an_upload_already_staged_or_no_limit_goes_at_once(tmp_path):
    held = staged(tmp_path, 2)
    with anyio.fail_after(1):
        assert await room_to_unpack(held[0], 2)  # redelivered: its area is counted already
        assert await room_to_unpack(StagingArea(tmp_path, uuid.uuid4()), 0)
        assert await room_to_unpack(StagingArea(tmp_path / "empty", uuid.uuid4()), 1)


async def test_a_wait_that_never_ends_gives_up_after_the_longest_and_says_so(tmp_path):
    staged(tmp_path, 2)
    (tmp_path / "not-an-upload").mkdir()  # only upload areas count
    moments = iter(range(100))  # each look at the clock, a second later
    with anyio.fail_after(5), capture_logs() as logs:
        assert not await room_to_unpack(StagingArea(tmp_path, uuid.uuid4()), 2,
                                        look_every=0, longest=10,
                                        clock=lambda: float(next(moments)))
    assert next(moments) == 11, "it looked until the longest wait had passed, then went on"
    assert [entry["event"] for entry in logs] == ["staging.no_room"]
