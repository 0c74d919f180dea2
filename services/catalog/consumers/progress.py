"""Progress consumer: `upload.received/unpacked/failed` and each song's stages after
`song.found` (the unpacked upload lists those) → the upload's progress rows, and
`upload.completed` once every song of the upload reached an end. A `song.parsed` is read without
its scan (up to a megabyte of JSON, which progress never looks at). The events handled at the
same time are written in one transaction (group commit), the uploads' rows locked in order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, ClassVar, Union, get_args

from pydantic import TypeAdapter
from sqlalchemy.orm import Session, sessionmaker

from shared.events import AnyEvent, Event, SongParsed, UploadCompleted
from shared.observability import upload_ended
from shared.persistence import uploads
from shared.persistence.group_commit import GroupCommit
from shared.persistence.upload_stages import UploadEnded


def make_handler(sessions: sessionmaker[Session]):
    writer = progress_writer(sessions)

    async def track(event: Event) -> Sequence[Event]:
        ended = await writer.apply(event)
        if ended is None:
            return ()
        upload_ended(ended.state, ended.created_at)
        return (UploadCompleted.about(ended.upload_id, succeeded=ended.succeeded),)

    return track


def progress_writer(sessions: sessionmaker[Session]) -> GroupCommit[Event, UploadEnded | None]:
    return GroupCommit("progress", sessions, uploads.record_progress,
                       order=lambda event: str(event.upload_id or ""))


class _ParsedWithoutScan(SongParsed):
    """`song.parsed` with no `scan` field: reading one skips the scan's JSON unbuilt."""

    scan: ClassVar[dict] = {}


_union, _discriminator = get_args(AnyEvent)
_WITHOUT_SCANS = TypeAdapter(Annotated[
    Union[tuple(_ParsedWithoutScan if kind is SongParsed else kind  # noqa: UP007
                for kind in get_args(_union))], _discriminator])


def read_event(body: bytes) -> Event:
    """The event in `body`; a `song.parsed` with an empty scan."""
    event = _WITHOUT_SCANS.validate_json(body)
    if isinstance(event, _ParsedWithoutScan):
        return SongParsed.model_construct(**{name: getattr(event, name)
                                             for name in _ParsedWithoutScan.model_fields})
    return event
