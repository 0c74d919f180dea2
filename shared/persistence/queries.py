"""Reads of songs and uploads for the gateway, the ingest service and the CLI (no writes here):
one song's details (`SongDetails`) and the latest uploads (`UploadSummary`, `UploadRow`, a page
of them in `UploadPage`); one upload's songs are read in `upload_status`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import Field, JsonValue
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from shared.persistence.read_model import ReadModel, Timestamp
from shared.persistence.tables import Song, SongTombstone, Upload


@dataclass(frozen=True)
class Page:
    total: int
    items: list[dict[str, Any]]


def song_with_md5(session: Session, md5: str) -> uuid.UUID | None:
    return session.execute(select(Song.id).where(Song.md5 == md5)).scalar()


def songs_with_chart_hash(session: Session, chart_hash: str) -> list[tuple[uuid.UUID, str]]:
    """(id, manifest key) of each song whose chart hash is `chart_hash`, oldest first."""
    rows = session.execute(select(Song.id, Song.manifest_key).where(Song.chart_hash == chart_hash)
                           .order_by(Song.created_at, Song.id))
    return [(song_id, key) for song_id, key in rows]


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


class SongDetails(ReadModel):
    """One song with everything the catalog knows of it."""

    id: uuid.UUID
    name: str
    artist: str
    album: str | None
    genre: str | None
    year: str | None
    charter: str | None
    song_length_ms: int | None = Field(description="song.ini's song_length")
    md5: str = Field(description="scan-chart's hash of the folder's files")
    revision: int
    file_path: str = Field(description="The song's folder in the content folder")
    created_at: Timestamp
    updated_at: Timestamp
    chart_file: str | None
    parser_version: int
    manifest_key: str = Field(description="Object key of the song's file list")
    upload_id: uuid.UUID | None = Field(description="The upload it arrived in")
    metadata: dict[str, JsonValue] = Field(description="scan-chart's reading of the folder")


def song_details(session: Session, song_id: uuid.UUID) -> SongDetails | None:
    song = session.get(Song, song_id)
    if song is None:
        return None
    return SongDetails(
        id=song.id, name=song.title, artist=song.artist, album=song.album, genre=song.genre,
        year=song.year, charter=song.charter, song_length_ms=song.song_length_ms, md5=song.md5,
        revision=song.revision, file_path=song.file_path,
        created_at=song.created_at.isoformat(), updated_at=song.updated_at.isoformat(),
        chart_file=song.chart_file, parser_version=song.parser_version,
        manifest_key=song.manifest_key, upload_id=song.upload_id, metadata=song.metadata_)


class UploadRow(ReadModel):
    """An upload as the upload history lists it."""

    id: uuid.UUID
    filename: str
    source: str
    state: str
    error: str | None
    size: int | None
    song_total: int | None
    created_at: Timestamp
    completed_at: Timestamp | None


def upload_row_fields(upload: Upload) -> dict[str, Any]:
    """What an upload's row shows of it."""
    return {"id": upload.id, "filename": upload.filename, "source": upload.source,
            "state": upload.state, "error": upload.error, "size": upload.size,
            "song_total": upload.song_total, "created_at": upload.created_at.isoformat(),
            "completed_at": _iso(upload.completed_at)}


class UploadSummary(ReadModel):
    """An upload as the home page lists it."""

    id: uuid.UUID
    filename: str
    state: str
    error: str | None
    song_total: int | None
    created_at: Timestamp


def recent_uploads(session: Session, limit: int = 10) -> list[UploadSummary]:
    uploads = session.execute(
        select(Upload).order_by(Upload.created_at.desc()).limit(limit)
    ).scalars()
    return [UploadSummary(id=u.id, filename=u.filename, state=u.state, error=u.error,
                          song_total=u.song_total, created_at=u.created_at.isoformat())
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
                   page: int = 1, per_page: int = 50) -> UploadPage:
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
    return UploadPage(total=total, items=tuple(UploadRow(**upload_row_fields(u)) for u in rows))


class UploadPage(ReadModel):
    """One page of the upload history, and how many uploads match in all."""

    total: int
    items: tuple[UploadRow, ...]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def upload_generates_difficulties(session: Session, upload_id: uuid.UUID | None) -> bool:
    """Whether the upload asked for lower difficulties generated for each of its songs."""
    if upload_id is None:
        return False
    return bool(session.execute(select(Upload.generate_difficulties)
                                .where(Upload.id == upload_id)).scalar())
