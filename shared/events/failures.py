"""How a stage tells that it failed: the song it worked on failed there (`song.failed`), or,
at a stage that works on whole uploads, the upload did (`upload.failed`)."""

from __future__ import annotations

from collections.abc import Callable

from shared.events.base import Event, SongEvent, UploadEvent
from shared.events.songs import SongDeleted, SongFailed
from shared.events.uploads import UploadFailed


def failure_at(stage: str) -> Callable[[Event, str], tuple[Event, ...]]:
    """The events a consumer at `stage` emits when it gives up on an event, with the reason.
    A tombstone that cannot be carried out fails no song."""

    def failed(event: Event, reason: str) -> tuple[Event, ...]:
        if isinstance(event, SongDeleted):
            return ()
        if isinstance(event, SongEvent):
            return (SongFailed.after(event, stage, stage=stage, reason=reason),)
        if isinstance(event, UploadEvent):
            return (UploadFailed.after(event, stage=stage, reason=reason),)
        return ()

    failed.__name__ = f"failed_at_{stage}"
    return failed
