"""The gateway's writes to the uploads table and its outbox: a row is recorded before any byte
is stored, then moves to `received` in the same transaction that records its announcement, or
to `failed` with a reason; rows whose bytes stopped coming are swept to `failed`. The statements
are those of `shared.persistence.uploads`, the table's one writer."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from sqlalchemy.orm import Session, sessionmaker

from shared import outbox
from shared.events import Event
from shared.persistence import uploads
from shared.persistence.db import transaction
from shared.persistence.uploads import RESUMABLE_SUFFIX
from shared.telemetry import current_trace_id

__all__ = ["PUBLISHER", "RESUMABLE_SUFFIX", "announce", "describe", "fail_stale",
           "record_failed", "record_received", "record_receiving", "touch"]

PUBLISHER = "gateway"
log = structlog.get_logger(__name__)


def describe(error: BaseException) -> str:
    """An exception as a sentence fit for an upload's reason (never the exception itself)."""
    # The first paragraph only: SQLAlchemy appends a link to its documentation.
    text = " ".join(str(error).split("\n\n")[0].split())
    text = f"{type(error).__name__}: {text}" if text else type(error).__name__
    return text if len(text) <= 500 else text[:497] + "..."


def record_receiving(sessions: sessionmaker[Session], upload_id: uuid.UUID, *, filename: str,
                     bucket: str, key: str, source: str = "gateway", size: int = 0,
                     import_run: str | None = None, import_songs: int | None = None,
                     generate_difficulties: bool = False) -> None:
    with transaction(sessions) as session:
        uploads.record_receiving(session, upload_id, filename=filename, source=source,
                                 bucket=bucket, key=key, size=size,
                                 trace_id=current_trace_id(), import_run=import_run,
                                 import_songs=import_songs,
                                 generate_difficulties=generate_difficulties)


def record_received(sessions: sessionmaker[Session], upload_id: uuid.UUID,
                    values: dict[str, Any], events: Sequence[Event]) -> None:
    """The bytes are stored: the row says so and its announcement is recorded, together."""
    with transaction(sessions) as session:
        uploads.record_received(session, upload_id, values)
        outbox.add(session, events, PUBLISHER)


def announce(sessions: sessionmaker[Session], events: Sequence[Event]) -> None:
    """Record events that change no upload, to be relayed like the others."""
    with transaction(sessions) as session:
        outbox.add(session, events, PUBLISHER)


def record_failed(sessions: sessionmaker[Session], upload_id: uuid.UUID, reason: str) -> bool:
    """Mark the upload failed with `reason`; never raises, since it runs while another failure
    is being handled. False when it could not be written (the sweep ends the row later)."""
    try:
        with transaction(sessions) as session:
            uploads.record_receiving_failed(session, upload_id, reason)
    except Exception as error:
        log.error("upload.failure_not_recorded", upload_id=str(upload_id), reason=reason,
                  error=describe(error))
        return False
    return True


def touch(sessions: sessionmaker[Session], upload_ids: Iterable[uuid.UUID]) -> None:
    """Uploads whose bytes are still coming in: not for the sweep."""
    ids = list(upload_ids)
    if ids:
        with transaction(sessions) as session:
            uploads.touch_receiving(session, ids)


def fail_stale(sessions: sessionmaker[Session], *, timeout_seconds: float,
               resumable_seconds: float) -> list[uuid.UUID]:
    """End every upload still `receiving` with nothing heard of it for longer than its
    timeout (a resumable one waits longer for its client to come back); the ids it ended."""
    with transaction(sessions) as session:
        return uploads.fail_stale(session, timeout_seconds=timeout_seconds,
                                  resumable_seconds=resumable_seconds)
