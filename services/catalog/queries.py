"""Catalog reads for the gateway, the ingest service and the CLI (no writes here)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from services.catalog.tables import Song, SongTombstone, Upload, UploadSong
from shared.telemetry import trace_url


@dataclass(frozen=True)
class Page:
    total: int
    items: list[dict[str, Any]]


def song_with_md5(session: Session, md5: str) -> uuid.UUID | None:
    return session.execute(select(Song.id).where(Song.md5 == md5)).scalar()


def known_md5s(session: Session, md5s: list[str]) -> set[str]:
    """The folder hashes among `md5s` that songs of the library have."""
    if not md5s:
        return set()
    return set(session.execute(select(Song.md5).where(Song.md5.in_(md5s))).scalars())


def is_deleted(session: Session, song_id: uuid.UUID) -> bool:
    return session.get(SongTombstone, song_id) is not None


def song_summary(song: Song) -> dict[str, Any]:
    return {
        "id": str(song.id),
        "name": song.title,
        "artist": song.artist,
        "album": song.album,
        "genre": song.genre,
        "year": song.year,
        "charter": song.charter,
        "song_length_ms": song.song_length_ms,
        "md5": song.md5,
        "revision": song.revision,
        "file_path": song.file_path,
        "created_at": song.created_at.isoformat(),
        "updated_at": song.updated_at.isoformat(),
    }


def search_songs(session: Session, text: str | None, *, page: int, per_page: int) -> Page:
    """Songs whose name, artist, album, genre or charter contain `text`, newest first."""
    query = select(Song)
    if text:
        pattern = f"%{text}%"
        query = query.where(or_(*(column.ilike(pattern) for column in (
            Song.title, Song.artist, Song.album, Song.genre, Song.charter))))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(
        query.order_by(Song.created_at.desc(), Song.id).offset((page - 1) * per_page)
        .limit(per_page)
    ).scalars()
    return Page(total=total, items=[song_summary(song) for song in rows])


def song_details(session: Session, song_id: uuid.UUID) -> dict[str, Any] | None:
    song = session.get(Song, song_id)
    if song is None:
        return None
    return {**song_summary(song), "chart_file": song.chart_file,
            "parser_version": song.parser_version, "manifest_key": song.manifest_key,
            "upload_id": str(song.upload_id) if song.upload_id else None,
            "metadata": song.metadata_}


def upload_details(session: Session, upload_id: uuid.UUID,
                   trace_url_template: str | None = None) -> dict[str, Any] | None:
    """The upload and its songs; `trace_url` links its trace when a template is given."""
    upload = session.get(Upload, upload_id)
    if upload is None:
        return None
    songs = session.execute(
        select(UploadSong, Song.title, Song.artist, Song.file_path)
        .outerjoin(Song, Song.id == func.coalesce(UploadSong.existing_song_id,
                                                  UploadSong.song_id))
        .where(UploadSong.upload_id == upload_id)
        .order_by(UploadSong.folder)
    ).all()
    return {
        "id": str(upload.id),
        "filename": upload.filename,
        "source": upload.source,
        "state": upload.state,
        "error": upload.error,
        "size": upload.size,
        "song_total": upload.song_total,
        "created_at": upload.created_at.isoformat(),
        "completed_at": upload.completed_at.isoformat() if upload.completed_at else None,
        "trace_id": upload.trace_id,
        "trace_url": trace_url(trace_url_template, upload.trace_id),
        "songs": [
            {
                "song_id": str(row.UploadSong.song_id),
                "folder": row.UploadSong.folder,
                "stage": row.UploadSong.stage,
                "error": row.UploadSong.error,
                "already_in_library_as": (str(row.UploadSong.existing_song_id)
                                          if row.UploadSong.existing_song_id else None),
                "name": row.title,
                "artist": row.artist,
                "content_path": row.file_path,
            }
            for row in songs
        ],
    }


def recent_uploads(session: Session, limit: int = 10) -> list[dict[str, Any]]:
    uploads = session.execute(
        select(Upload).order_by(Upload.created_at.desc()).limit(limit)
    ).scalars()
    return [{"id": str(u.id), "filename": u.filename, "state": u.state, "error": u.error,
             "song_total": u.song_total, "created_at": u.created_at.isoformat()}
            for u in uploads]


def originals_past_retention(session: Session, hours: float) -> list[Upload]:
    """Completed, successful uploads whose original is still kept after `hours`."""
    cutoff = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, hours * 3600)
    return list(session.execute(
        select(Upload)
        .where(Upload.state == "completed", Upload.original_deleted_at.is_(None))
        .where(Upload.completed_at < cutoff)
    ).scalars())


def upload_history(session: Session, *, state: str | None = None, source: str | None = None,
                   text: str | None = None, since: date | None = None, until: date | None = None,
                   page: int = 1, per_page: int = 50) -> Page:
    """Uploads, newest first, by state, source, a part of the file name and the days they
    arrived (`until` included), with the total count."""
    query = select(Upload)
    if state:
        query = query.where(Upload.state == state)
    if source:
        query = query.where(Upload.source == source)
    if text:
        query = query.where(Upload.filename.icontains(text, autoescape=True))
    if since:
        query = query.where(Upload.created_at >= since)
    if until:
        query = query.where(Upload.created_at < until + timedelta(days=1))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Upload.created_at.desc(), Upload.id)
                           .offset((page - 1) * per_page).limit(per_page)).scalars()
    return Page(total=total, items=[
        {"id": str(u.id), "filename": u.filename, "source": u.source, "state": u.state,
         "error": u.error, "size": u.size, "song_total": u.song_total,
         "created_at": u.created_at.isoformat(),
         "completed_at": u.completed_at.isoformat() if u.completed_at else None}
        for u in rows])
