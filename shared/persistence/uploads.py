"""The one writer of the `uploads` and `upload_songs` tables.

The gateway records an upload before it stores a byte (`record_receiving`), then `received` or
`failed`; the ingest service claims uploads it finds in the bucket by another way
(`claim_upload`), remembers their trace and when their original was removed; the progress
consumer applies every upload and song event (`record_progress`): each song's stage moves only
forward, and an upload is complete when each of its songs reached an end state (published,
already in the library, or failed). A restore ends the uploads it cannot finish. Every function
works in the caller's transaction.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import Row, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from shared.events import Event, SongFound, UploadFailed, UploadReceived, UploadUnpacked
from shared.persistence.tables import Upload, UploadSong
from shared.persistence.upload_stages import (
    END_STAGES,
    NO_SONG_ADDED,
    SONG_STAGES,
    STAGE_RANK,
    UploadEnded,
)

RESUMABLE_SUFFIX = "/chunks/"  # the key of a resumable upload waiting for its chunks
INTERRUPTED = ("Interrupted by a restore from backup: a backup holds the library, not the "
               "uploads in progress. Upload it again.")
_UNFINISHED = ("receiving", "received", "processing")


def record_progress(session: Session, event: Event) -> UploadEnded | None:
    """Apply `event` to its upload's progress; the upload's end when every song reached one.

    A few plain statements whatever the upload holds: the upload's row changed (which locks
    it, so that events of one upload are applied one after the other), and one upsert of its
    songs' rows that also adds the songs it brought to an end to the upload's counters."""
    if event.upload_id is None or isinstance(event, SongFound):
        return None  # `upload.unpacked` recorded every song found, with its folder
    match event:
        case UploadFailed():
            upload = _change(session, event, state="failed", error=event.reason,
                             song_total=func.coalesce(_UPLOADS.c.song_total, 0),
                             completed_at=func.coalesce(_UPLOADS.c.completed_at, func.now()))
            return UploadEnded(event.upload_id, succeeded=False, state="failed",
                               created_at=upload.created_at)
        case UploadUnpacked():
            upload = _change(session, event, song_total=event.songs_in_upload,
                             state="processing", updated_at=func.now())
            counted = _advance(session, event.upload_id, [(song.song_id, song.folder)
                                                          for song in event.songs], "found")
        case _ if type(event) in SONG_STAGES:
            stage = SONG_STAGES[type(event)]
            upload = _change(session, event, updated_at=func.now())
            counted = _advance(session, event.upload_id, [(event.song_id, None)], stage,
                               error=getattr(event, "reason", None),
                               existing=getattr(event, "existing_song_id", None))
            if stage not in END_STAGES:  # only an end (or the song count) can end the upload
                return None
        case _:
            _change(session, event, updated_at=func.now())
            return None
    return _ended(session, event.upload_id, counted or upload)


_UPLOADS, _UPLOAD_SONGS = Upload.__table__, UploadSong.__table__


def _change(session: Session, event: Event, **values) -> Row:
    """Set `values` on the upload's row (made from the event first when the upload arrived by
    another way); its song total, songs ended and when it was made."""
    change = (update(_UPLOADS).where(_UPLOADS.c.id == event.upload_id).values(**values)
              .returning(_UPLOADS.c.song_total, _UPLOADS.c.songs_ended,
                         _UPLOADS.c.songs_failed, _UPLOADS.c.created_at))
    upload = session.execute(change).one_or_none()
    if upload is None:
        received = event if isinstance(event, UploadReceived) else None
        session.execute(insert(Upload).values(
            id=event.upload_id,
            filename=received.origin.filename if received else "",
            source=received.source if received else "unknown",
            bucket=received.origin.bucket if received else "",
            key=received.origin.key if received else "",
            etag=received.etag if received else None,
            size=received.size if received else 0,
            is_folder=received.origin.is_folder if received else False,
            state="received",
        ).on_conflict_do_nothing())
        upload = session.execute(change).one()
    return upload


def _rank(stage_column: str) -> str:
    whens = " ".join(f"WHEN '{stage}' THEN {rank}" for stage, rank in STAGE_RANK.items())
    return f"CASE {stage_column} {whens} ELSE -1 END"


def _is_end(stage_column: str) -> str:
    return f"{stage_column} IN ({', '.join(repr(stage) for stage in sorted(END_STAGES))})"


# Written out rather than built with `postgresql.insert(...).on_conflict_do_update()`, which
# SQLAlchemy compiles again at every execution: that compiling was most of this consumer's time.
# Each song's row keeps the stage it had before (`previous_stage`, none for a new row), so the
# upsert itself tells how many songs it brought to an end, or out of failed, reading no other
# row; the upload's counters change by as many. The upload's row is locked already, so counting
# cannot race another event of the same upload.
_MOVES = f"{_rank('song.stage')} < {_rank('excluded.stage')}"
_ADVANCE = text(f"""
    WITH moved AS (
        INSERT INTO upload_songs AS song
            (upload_id, song_id, folder, stage, error, existing_song_id)
        SELECT :upload_id, found.song_id, found.folder, :stage, :error, :existing
        FROM unnest(CAST(:song_ids AS uuid[]), CAST(:folders AS text[])) AS found(song_id, folder)
        ON CONFLICT (upload_id, song_id) DO UPDATE SET
            folder = coalesce(nullif(song.folder, ''), nullif(excluded.folder, ''), song.folder),
            previous_stage = song.stage,
            stage = CASE WHEN {_MOVES} THEN excluded.stage ELSE song.stage END,
            error = CASE WHEN {_MOVES} THEN excluded.error ELSE song.error END,
            existing_song_id = CASE WHEN {_MOVES} THEN excluded.existing_song_id
                                    ELSE song.existing_song_id END,
            updated_at = CASE WHEN {_MOVES} THEN now() ELSE song.updated_at END
        RETURNING song.previous_stage, song.stage),
    counted AS (
        SELECT count(*) FILTER (WHERE {_is_end('stage')})
                 - count(*) FILTER (WHERE {_is_end('previous_stage')}) AS ended,
               count(*) FILTER (WHERE stage = 'failed')
                 - count(*) FILTER (WHERE previous_stage = 'failed') AS failed
        FROM moved)
    UPDATE uploads SET songs_ended = songs_ended + counted.ended,
                       songs_failed = songs_failed + counted.failed
    FROM counted WHERE uploads.id = :upload_id
    RETURNING uploads.song_total, uploads.songs_ended, uploads.songs_failed,
              uploads.created_at""")


def _advance(session: Session, upload_id: uuid.UUID, songs: list[tuple[uuid.UUID, str | None]],
             stage: str, *, error: str | None = None,
             existing: uuid.UUID | None = None) -> Row | None:
    """Each song's row at `stage` unless it is further along already, in one statement; a
    folder, once known, is kept. The upload's counts of songs ended after it."""
    if not songs:
        return None
    return session.execute(_ADVANCE, {
        "upload_id": upload_id, "stage": stage, "error": error, "existing": existing,
        "song_ids": [str(song_id) for song_id, _ in songs],
        "folders": [folder for _, folder in songs]}).one()


def _ended(session: Session, upload_id: uuid.UUID, upload: Row) -> UploadEnded | None:
    if not upload.song_total:  # unknown yet, or failed whole
        return None
    done, failed = upload.songs_ended, upload.songs_failed
    if done < upload.song_total:
        return None
    state = "completed" if failed == 0 else (
        "failed" if failed == done else "completed_with_errors")
    outcome: dict[str, object] = {
        "state": state, "completed_at": func.coalesce(_UPLOADS.c.completed_at, func.now())}
    if failed == done:
        outcome["error"] = func.coalesce(_UPLOADS.c.error, NO_SONG_ADDED)
    elif failed == 0:
        outcome["error"] = None
    session.execute(update(_UPLOADS).where(_UPLOADS.c.id == upload_id).values(**outcome))
    return UploadEnded(upload_id, succeeded=failed == 0, state=state,
                       created_at=upload.created_at)


def mark_original_deleted(session: Session, upload_id: uuid.UUID) -> None:
    session.execute(update(Upload).where(Upload.id == upload_id)
                    .values(original_deleted_at=func.now()))


def record_upload_trace(session: Session, upload_id: uuid.UUID, trace_id: str) -> None:
    """Remember the trace an upload's journey is in (one that started outside the gateway)."""
    session.execute(update(Upload).where(Upload.id == upload_id, Upload.trace_id.is_(None))
                    .values(trace_id=trace_id))


def claim_upload(session: Session, received: UploadReceived, *,
                 stale_after_seconds: float | None = None) -> bool:
    """Record an upload seen in the bucket; True when it should be announced: it is new, or
    (when `stale_after_seconds` is given) it was claimed but never got past `received`."""
    claimed = session.execute(insert(Upload).values(
        id=received.upload_id, filename=received.origin.filename, source=received.source,
        bucket=received.origin.bucket, key=received.origin.key, etag=received.etag,
        size=received.size,
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


def record_receiving(session: Session, upload_id: uuid.UUID, *, filename: str, bucket: str,
                     key: str, source: str, size: int, trace_id: str | None,
                     import_run: str | None, import_songs: int | None,
                     generate_difficulties: bool = False) -> None:
    """A new upload whose bytes are about to be stored."""
    # A plain INSERT, compiled once (a PostgreSQL insert() is compiled at every execution).
    session.execute(_UPLOADS.insert().values(
        id=upload_id, filename=filename, source=source, bucket=bucket, key=key, size=size,
        state="receiving", trace_id=trace_id, import_run=import_run, import_songs=import_songs,
        generate_difficulties=generate_difficulties))


def record_received(session: Session, upload_id: uuid.UUID, values: dict[str, Any]) -> None:
    """The upload's bytes are stored."""
    session.execute(update(Upload).where(Upload.id == upload_id)
                    .values(state="received", updated_at=func.now(), **values))


def record_receiving_failed(session: Session, upload_id: uuid.UUID, reason: str) -> None:
    """The upload's bytes could not be stored, for `reason`."""
    session.execute(update(Upload).where(Upload.id == upload_id, Upload.state == "receiving")
                    .values(state="failed", error=reason, updated_at=func.now(),
                            completed_at=func.now()))


def touch_receiving(session: Session, upload_ids: list[uuid.UUID]) -> None:
    """Uploads whose bytes are still coming in: not for `fail_stale`."""
    session.execute(update(Upload).where(Upload.id.in_(upload_ids), Upload.state == "receiving")
                    .values(updated_at=func.now()))


def fail_stale(session: Session, *, timeout_seconds: float,
               resumable_seconds: float) -> list[uuid.UUID]:
    """End every upload still `receiving` with nothing heard of it for longer than its
    timeout (a resumable one waits longer for its client to come back); the ids it ended."""
    waiting = Upload.key.endswith(RESUMABLE_SUFFIX)
    return [*_fail_older(session, ~waiting, timeout_seconds,
                         "The upload never completed: nothing more was heard of it "
                         "(its connection was lost, or a gateway stopped while receiving "
                         "it). Send it again."),
            *_fail_older(session, waiting, resumable_seconds,
                         "No more bytes came for this resumable upload; it expired "
                         "unfinished. Send it again.")]


def _fail_older(session: Session, which: Any, seconds: float, reason: str) -> list[uuid.UUID]:
    return list(session.execute(
        update(Upload)
        .where(Upload.state == "receiving", which,
               func.now() - Upload.updated_at > timedelta(seconds=seconds))
        .values(state="failed", error=reason, completed_at=func.now(), updated_at=func.now())
        .returning(Upload.id)).scalars())


def end_unfinished_uploads(session: Session) -> int:
    """Fail the uploads a restored catalog shows in progress: their originals and messages were
    not backed up, so nothing would ever finish them. How many."""
    result = session.execute(update(Upload).where(Upload.state.in_(_UNFINISHED)).values(
        state="failed", error=INTERRUPTED, completed_at=func.now(), updated_at=func.now()))
    return result.rowcount
