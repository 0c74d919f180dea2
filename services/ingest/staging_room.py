"""Room in the staging folder: unpacking an upload waits while this host's staging folder
already holds the areas of `most` uploads that have not ended. Consumes and emits nothing;
operators see the uploads waiting in `chhub_staging_waiting_uploads`.

An upload's area stays until the upload ends, so the areas held are the uploads this host is
working on. A library sent faster than the pipeline stores it then waits in the uploads bucket,
where it is already, instead of being unpacked far ahead of extraction: the staging folder
stays bounded whatever the backlog, and the songs just unpacked are the next ones stored.
Handlers that look at once may each find the last free place, so the bound is `most` plus the
unpackings running at that moment.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import anyio
import structlog

from services.ingest.staging import StagingArea, staged_uploads
from shared.metrics import STAGING_WAITING

log = structlog.get_logger(__name__)

LOOK_EVERY_SECONDS = 0.1
LONGEST_WAIT_SECONDS = 120.0


async def room_to_unpack(staging: StagingArea, most: int, *,
                         look_every: float = LOOK_EVERY_SECONDS,
                         longest: float = LONGEST_WAIT_SECONDS,
                         clock: Callable[[], float] = time.monotonic) -> bool:
    """Return once the staging folder holds fewer than `most` areas (at once if `most` is 0,
    or if this upload has an area already: it is counted). After `longest` seconds of waiting
    it goes on anyway, so that areas left by uploads that will never end (swept within a
    minute) cannot stop unpacking: False then, and the wait is logged. While it waits, the
    upload counts in `chhub_staging_waiting_uploads`."""
    if most <= 0 or _has_room(staging, most):
        return True
    deadline = clock() + longest
    with STAGING_WAITING.track_inprogress():
        while not _has_room(staging, most):
            if clock() >= deadline:
                log.warning("staging.no_room", upload_id=str(staging.upload_id),
                            areas_most=most, waited_seconds=longest)
                return False
            await anyio.sleep(look_every)
    return True


def _has_room(staging: StagingArea, most: int) -> bool:
    return staging.area.exists() or len(staged_uploads(staging.root)) < most
