"""Upload progress: each song's stage per upload, moved only forward, and the upload's end.

Consumes every upload and song event; an upload is complete when each of its songs reached an
end state (published, already in the library, or failed).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from services.catalog.tables import Upload, UploadSong
from shared.events import (
    Event,
    SongAlreadyInLibrary,
    SongCataloged,
    SongExtracted,
    SongFailed,
    SongFound,
    SongParsed,
    SongPublished,
    UploadFailed,
    UploadReceived,
    UploadUnpacked,
)

# A failed song can still end published: its dead-lettered message retried after a fix.
STAGE_RANK = {"found": 0, "extracted": 1, "parsed": 2, "cataloged": 3,
              "failed": 9, "published": 10, "duplicate": 10}
END_STAGES = frozenset({"published", "duplicate", "failed"})

_SONG_STAGES: dict[type[Event], str] = {
    SongFound: "found",
    SongExtracted: "extracted",
    SongParsed: "parsed",
    SongCataloged: "cataloged",
    SongPublished: "published",
    SongAlreadyInLibrary: "duplicate",
    SongFailed: "failed",
}


@dataclass(frozen=True)
class UploadEnded:
    upload_id: uuid.UUID
    succeeded: bool
    state: str = "completed"
    created_at: datetime | None = None


def record_progress(session: Session, event: Event) -> UploadEnded | None:
    """Apply `event` to its upload's progress; the upload's end when every song reached one."""
    if event.upload_id is None:
        return None
    upload = _upload_for(session, event)
    match event:
        case UploadUnpacked():
            upload.song_total = len(event.songs)
            upload.state = "processing"
            for song in event.songs:
                _advance(session, event.upload_id, song.song_id, "found", folder=song.folder)
        case UploadFailed():
            upload.state, upload.error = "failed", event.reason
            upload.song_total = upload.song_total or 0
            upload.completed_at = upload.completed_at or func.now()
            return UploadEnded(upload.id, succeeded=False, state="failed",
                               created_at=upload.created_at)
        case _ if type(event) in _SONG_STAGES:
            _advance(session, event.upload_id, event.song_id, _SONG_STAGES[type(event)],
                     error=getattr(event, "reason", None),
                     existing=getattr(event, "existing_song_id", None))
    upload.updated_at = func.now()
    return _ended(session, upload)


def _upload_for(session: Session, event: Event) -> Upload:
    """The upload's row, created from the event when the upload arrived by another way."""
    upload = session.get(Upload, event.upload_id, with_for_update=True)
    if upload is None:
        received = event if isinstance(event, UploadReceived) else None
        session.execute(insert(Upload).values(
            id=event.upload_id,
            filename=received.filename if received else "",
            source=received.source if received else "unknown",
            bucket=received.bucket if received else "",
            key=received.key if received else "",
            etag=received.etag if received else None,
            size=received.size if received else 0,
            is_folder=received.is_folder if received else False,
            state="received",
        ).on_conflict_do_nothing())
        upload = session.get(Upload, event.upload_id, with_for_update=True)
    return upload


def _advance(session: Session, upload_id: uuid.UUID, song_id: uuid.UUID, stage: str, *,
             folder: str | None = None, error: str | None = None,
             existing: uuid.UUID | None = None) -> None:
    session.execute(insert(UploadSong).values(
        upload_id=upload_id, song_id=song_id, folder=folder, stage="found",
    ).on_conflict_do_nothing())
    row = session.get(UploadSong, (upload_id, song_id), with_for_update=True)
    if folder and not row.folder:
        row.folder = folder
    if STAGE_RANK[stage] > STAGE_RANK[row.stage]:
        row.stage, row.error, row.existing_song_id = stage, error, existing
        row.updated_at = func.now()


def _ended(session: Session, upload: Upload) -> UploadEnded | None:
    if upload.song_total is None or upload.song_total == 0:  # unknown yet, or failed whole
        return None
    session.flush()
    stages = session.execute(
        select(UploadSong.stage).where(UploadSong.upload_id == upload.id)
    ).scalars().all()
    done = [stage for stage in stages if stage in END_STAGES]
    if len(done) < upload.song_total:
        return None
    failed = done.count("failed")
    upload.state = "completed" if failed == 0 else (
        "failed" if failed == len(done) else "completed_with_errors")
    if failed == len(done) and failed:
        upload.error = upload.error or "No song of this upload could be added."
    elif failed == 0:
        upload.error = None
    upload.completed_at = upload.completed_at or func.now()
    return UploadEnded(upload.id, succeeded=failed == 0, state=upload.state,
                       created_at=upload.created_at)


def mark_original_deleted(session: Session, upload_id: uuid.UUID) -> None:
    upload = session.get(Upload, upload_id, with_for_update=True)
    if upload is not None:
        upload.original_deleted_at = func.now()


def record_upload_trace(session: Session, upload_id: uuid.UUID, trace_id: str) -> None:
    """Remember the trace an upload's journey is in (one that started outside the gateway)."""
    session.execute(update(Upload).where(Upload.id == upload_id, Upload.trace_id.is_(None))
                    .values(trace_id=trace_id))


def claim_upload(session: Session, received: UploadReceived, *,
                 stale_after_seconds: float | None = None) -> bool:
    """Record an upload seen in the bucket; True when it should be announced: it is new, or
    (when `stale_after_seconds` is given) it was claimed but never got past `received`."""
    claimed = session.execute(insert(Upload).values(
        id=received.upload_id, filename=received.filename, source=received.source,
        bucket=received.bucket, key=received.key, etag=received.etag, size=received.size,
        state="received",
    ).on_conflict_do_nothing().returning(Upload.id)).scalar()
    if claimed is not None:
        return True
    upload = session.get(Upload, received.upload_id)
    if upload.state != "received":
        return False
    if stale_after_seconds is None:
        return True
    age = session.execute(select(func.extract("epoch", func.now() - Upload.updated_at))
                          .where(Upload.id == upload.id)).scalar()
    return float(age) > stale_after_seconds
