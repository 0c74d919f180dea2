"""Progress consumer: `upload.received/unpacked/failed` and each song's stages after
`song.found` (the unpacked upload lists those) but `song.parsed` → the upload's progress rows,
and `upload.completed` once every song of the upload reached an end. The events handled at the
same time are written in one transaction (group commit), the uploads' rows locked in order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from shared.events import Event, UploadCompleted
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
