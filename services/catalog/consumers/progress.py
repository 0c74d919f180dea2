"""Progress consumer: every `upload.*` and `song.*` event → the upload's progress rows, and
`upload.completed` once every song of the upload reached an end."""

from __future__ import annotations

from collections.abc import Sequence

import anyio
from sqlalchemy.orm import Session, sessionmaker

from services.catalog import progress
from services.catalog.db import transaction
from shared.events import Event, UploadCompleted, event_id
from shared.observability import upload_ended


def make_handler(sessions: sessionmaker[Session]):
    async def track(event: Event) -> Sequence[Event]:
        ended = await anyio.to_thread.run_sync(_record, sessions, event)
        if ended is None:
            return ()
        upload_ended(ended.state, ended.created_at)
        return (UploadCompleted(
            event_id=event_id("upload.completed", ended.upload_id),
            upload_id=ended.upload_id, succeeded=ended.succeeded,
        ),)

    return track


def _record(sessions: sessionmaker[Session], event: Event) -> progress.UploadEnded | None:
    with transaction(sessions) as session:
        return progress.record_progress(session, event)
