"""Uploads and import runs in progress, for the home page: songs done of their total, the pace
over the last minute and the time left, read from the uploads' counters and the songs that ended
within the minute: the same few rows however many songs an upload holds.

An import run (the uploads `chhub import` sent naming one run) shows as one; any other upload
shows on its own. A run is in progress while one of its uploads is, or while it still sends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, and_, cast, func, literal, or_, select, true
from sqlalchemy.orm import Session

from shared.persistence.tables import Upload, UploadSong
from shared.persistence.upload_stages import END_STAGES

UNFINISHED = ("receiving", "received", "processing")
STILL_SENDING_SECONDS = 120  # an import run sends its next upload within this, or is over
WINDOW_SECONDS = 60.0
SHOWN = 5


@dataclass(frozen=True)
class Activity:
    name: str
    import_run: str | None
    uploads: int
    songs_done: int
    songs_total: int | None  # unknown while a lone upload is still being unpacked
    failed: int
    started_at: datetime
    songs_per_second: float | None
    eta_seconds: float | None


def pace(done_in_window: int, elapsed: float, songs_left: int | None,
         window: float = WINDOW_SECONDS) -> tuple[float | None, float | None]:
    """Songs per second over the last `window` (or since the start, if sooner), and seconds
    left at that rate; None where it cannot be told yet."""
    span = min(window, elapsed)
    if span <= 0:
        return None, None
    rate = done_in_window / span
    if songs_left is None:
        return rate, None
    if songs_left <= 0:
        return rate, 0.0
    return rate, songs_left / rate if rate > 0 else None


def in_progress(session: Session) -> list[Activity]:
    """What is being uploaded or imported now, newest first."""
    active = session.execute(
        select(Upload.import_run, Upload.id).where(or_(
            Upload.state.in_(UNFINISHED),
            and_(Upload.import_run.isnot(None),
                 Upload.created_at > func.now() - _seconds(STILL_SENDING_SECONDS))))
    ).all()
    if not active:
        return []
    runs = {run for run, _ in active if run}
    lone = {upload_id for run, upload_id in active if not run}
    found = [_activity(row) for row in session.execute(_groups(runs, lone))]
    return sorted((a for a in found if _still_going(a)), key=lambda a: a.started_at,
                  reverse=True)[:SHOWN]


def _groups(runs: set[str], lone: set[uuid.UUID]):
    """Per run (or lone upload): its uploads, and songs ended, failed and ended lately (read from
    each upload's counters, and its songs that ended within the window: an index holds those)."""
    lately = (
        select(func.count().label("recent"))
        .where(UploadSong.upload_id == Upload.id, UploadSong.stage.in_(END_STAGES),
               UploadSong.updated_at > func.now() - _seconds(WINDOW_SECONDS))
        .lateral()
    )
    # An upload that failed whole (not an archive, no songs) is one song done, and failed.
    failed_whole = func.count().filter(Upload.state == "failed",
                                       func.coalesce(Upload.song_total, 0) == 0)
    return (
        select(
            func.max(Upload.import_run).label("run"),
            func.min(Upload.filename).label("name"),
            func.count().label("uploads"),
            (func.sum(Upload.songs_ended) + failed_whole).label("done"),
            (func.sum(Upload.songs_failed) + failed_whole).label("failed"),
            func.sum(lately.c.recent).label("recent"),
            func.max(Upload.import_songs).label("planned"),
            func.sum(Upload.song_total).label("found"),
            func.bool_or(Upload.song_total.is_(None) & Upload.state.in_(UNFINISHED))
            .label("unpacking"),
            func.min(Upload.created_at).label("started_at"),
            func.extract("epoch", func.now() - func.min(Upload.created_at)).label("elapsed"),
        )
        .select_from(Upload)
        .join(lately, true())
        .where(or_(Upload.import_run.in_(runs or {""}),
                   Upload.id.in_(lone or {uuid.UUID(int=0)})))
        .group_by(func.coalesce(Upload.import_run, cast(Upload.id, Text)))
    )


def _activity(row) -> Activity:
    done = int(row.done)
    if row.run:
        total = row.planned if row.planned is not None else row.found
    else:
        total = None if row.unpacking else row.found
    total = None if total is None else int(total)
    left = None if total is None else total - done
    rate, eta = pace(int(row.recent), float(row.elapsed), left)
    return Activity(row.name, row.run, row.uploads, done, total, int(row.failed),
                    row.started_at, rate, eta)


def _still_going(activity: Activity) -> bool:
    return activity.songs_total is None or activity.songs_done < activity.songs_total


def _seconds(seconds: float):
    return func.make_interval(0, 0, 0, 0, 0, 0, literal(seconds))
