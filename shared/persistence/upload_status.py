"""One upload's status for the gateway (no writes here): its row, how many of its songs reached
each end or are still on their way (counted in SQL), and one page of its songs in folder order,
after a given song and of one state if asked (`UploadStatus`), and which of many uploads have
ended, with the songs of the small ones (`EndedUpload`). A page reads its own rows through an
index, whatever the upload holds."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Literal, get_args

from pydantic import Field
from sqlalchemy import (
    ARRAY,
    ColumnElement,
    Row,
    any_,
    bindparam,
    func,
    literal_column,
    select,
    text,
    tuple_,
)
from sqlalchemy.orm import Session

from shared.persistence.queries import UploadRow, upload_row_fields
from shared.persistence.read_model import ReadModel
from shared.persistence.stored_references import UPLOAD_END_STATES
from shared.persistence.tables import Song, Upload, UploadSong
from shared.persistence.upload_stages import END_STAGES
from shared.telemetry import trace_url

SongState = Literal["in_progress", "published", "duplicate", "failed"]
SONG_STATES: tuple[SongState, ...] = get_args(SongState)
# Written as the index is (migration 0020): a bound '' would not match its expression.
_FOLDER_ORDER = func.coalesce(UploadSong.folder, literal_column("''"))
_NO_BITMAP_SCANS = text("SET LOCAL enable_bitmapscan = off")
_BITMAP_SCANS_AGAIN = text("SET LOCAL enable_bitmapscan TO DEFAULT")


class NotASongOfTheUpload(LookupError):
    """A page was asked for after a song the upload does not hold."""


class UploadSongStage(ReadModel):
    """How far one song of an upload got."""

    song_id: uuid.UUID
    folder: str | None = Field(description="Its folder inside the upload, once found")
    stage: str = Field(description="found, extracted, cataloged (on their way), or "
                                   "published, duplicate, failed (its end)")
    error: str | None
    already_in_library_as: uuid.UUID | None = Field(
        description="The song the library already had with the same files")
    name: str | None
    artist: str | None
    content_path: str | None = Field(description="Its folder in the content folder")


class UploadSongCounts(ReadModel):
    """How many of an upload's songs reached each end, and how many are still on their way."""

    total: int = Field(description="Songs found in the upload so far")
    in_progress: int = Field(description="Songs still on their way through the pipeline")
    published: int = Field(description="Songs added to the library")
    duplicate: int = Field(description="Songs the library already had with the same files")
    failed: int = Field(description="Songs that could not be added")


class UploadSongsPage(ReadModel):
    """One page of an upload's songs, in folder order."""

    songs: tuple[UploadSongStage, ...]
    next_after: uuid.UUID | None


class UploadStatus(UploadRow):
    """An upload's state, how many of its songs reached each end, and one page of its songs."""

    trace_id: str | None
    trace_url: str | None = Field(description="Where its trace shows, when tracing is set up")
    song_counts: UploadSongCounts
    songs: tuple[UploadSongStage, ...] = Field(description=(
        "One page of its songs in folder order (of the state asked for): at most `limit`"))
    next_after: uuid.UUID | None = Field(description=(
        "When more songs follow this page, the last song of it: ask again with `after` set to "
        "it (and the same `state` and `limit`) for the next page; null on the last page"))


def upload_status(session: Session, upload_id: uuid.UUID, *, state: SongState | None = None,
                  after: uuid.UUID | None = None, limit: int = 100,
                  trace_url_template: str | None = None) -> UploadStatus | None:
    """The upload, its songs counted by state, and the page of at most `limit` of its songs
    (of `state`, when given) that follows the song `after`; `trace_url` links its trace when a
    template is given. Raises NotASongOfTheUpload when `after` is not one of its songs."""
    upload = session.get(Upload, upload_id)
    if upload is None:
        return None
    page = upload_songs(session, upload_id, state=state, after=after, limit=limit)
    return UploadStatus(
        **upload_row_fields(upload), trace_id=upload.trace_id,
        trace_url=trace_url(trace_url_template, upload.trace_id),
        song_counts=song_counts(session, upload_id), songs=page.songs,
        next_after=page.next_after)


def song_counts(session: Session, upload_id: uuid.UUID) -> UploadSongCounts:
    """The upload's songs counted by state, in one pass over its rows."""
    counts = session.execute(
        select(*(func.count().filter(_in_state(state)).label(state) for state in SONG_STATES),
               func.count().label("total"))
        .where(UploadSong.upload_id == upload_id)).one()
    return UploadSongCounts(**counts._asdict())


def upload_songs(session: Session, upload_id: uuid.UUID, *, state: SongState | None = None,
                 after: uuid.UUID | None = None, limit: int = 100) -> UploadSongsPage:
    """At most `limit` of the upload's songs (of `state`, when given) that follow the song
    `after` in folder order, read through the folder-order index, then the names of those
    that are in the library."""
    order = (_FOLDER_ORDER, UploadSong.song_id)
    query = (select(UploadSong.song_id, UploadSong.folder, UploadSong.stage, UploadSong.error,
                    UploadSong.existing_song_id)
             .where(UploadSong.upload_id == upload_id))
    if state is not None:
        query = query.where(_in_state(state))
    if after is not None:
        anchor = session.execute(select(*order).where(UploadSong.upload_id == upload_id,
                                                      UploadSong.song_id == after)).one_or_none()
        if anchor is None:
            raise NotASongOfTheUpload(f"No song {after} in upload {upload_id}.")
        query = query.where(tuple_(*order) > tuple_(*anchor))
    # The rows of an upload still arriving have no statistics yet (autovacuum has not analyzed
    # them, or is off): the planner then reads every row of the upload through a bitmap and
    # sorts them, where the index already holds them in order.
    session.execute(_NO_BITMAP_SCANS)
    rows = session.execute(query.order_by(*order).limit(limit + 1)).all()
    session.execute(_BITMAP_SCANS_AGAIN)
    page = rows[:limit]
    in_library = {row.id: row for row in session.execute(
        select(Song.id, Song.title, Song.artist, Song.file_path)
        .where(Song.id.in_({row.existing_song_id or row.song_id for row in page})))}
    songs = tuple(UploadSongStage(
        song_id=row.song_id, folder=row.folder, stage=row.stage, error=row.error,
        already_in_library_as=row.existing_song_id,
        **_named(in_library.get(row.existing_song_id or row.song_id))) for row in page)
    return UploadSongsPage(songs=songs,
                           next_after=songs[-1].song_id if len(rows) > limit else None)


def _named(song: Row | None) -> dict[str, str | None]:
    """What the library knows of a song of the upload: its name, artist and folder."""
    if song is None:
        return {"name": None, "artist": None, "content_path": None}
    return {"name": song.title, "artist": song.artist, "content_path": song.file_path}


def _in_state(state: SongState) -> ColumnElement[bool]:
    if state == "in_progress":
        return UploadSong.stage.not_in(END_STAGES)
    return UploadSong.stage == state


ENDED_SONGS_INLINE = 100


class EndedSong(ReadModel):
    """A song of an ended upload."""

    folder: str | None = Field(description="Its folder inside the upload")
    stage: str = Field(description="published, duplicate or failed")
    error: str | None = Field(description="Why it failed")


class EndedUpload(ReadModel):
    """How an upload ended, with its songs when it holds few."""

    state: str = Field(description="completed, completed_with_errors or failed")
    error: str | None = Field(description="Why it failed, when it failed whole")
    songs: tuple[EndedSong, ...] | None = Field(description=(
        f"Its songs in folder order, for an upload of at most {ENDED_SONGS_INLINE}; null for a "
        "larger one, whose songs are read by pages from its status"))


def ended_uploads(session: Session, upload_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, str]:
    """The state of each of `upload_ids` that has ended, in one statement; those still on
    their way (or unknown) are left out."""
    return {upload_id: ended.state for upload_id, ended in
            ended_outcomes(session, upload_ids, with_songs=False).items()}


def ended_outcomes(session: Session, upload_ids: Sequence[uuid.UUID], *,
                   with_songs: bool = True) -> dict[uuid.UUID, EndedUpload]:
    """How each of `upload_ids` that has ended ended, and (`with_songs`) the songs of those of
    at most ENDED_SONGS_INLINE songs, in two statements whatever the number asked."""
    if not upload_ids:
        return {}
    ids = bindparam("upload_ids", list(upload_ids), type_=ARRAY(Upload.id.type))
    uploads = session.execute(
        select(Upload.id, Upload.state, Upload.error, Upload.song_total)
        .where(Upload.id == any_(ids), Upload.state.in_(UPLOAD_END_STATES))).all()
    small = [upload.id for upload in uploads
             if with_songs and (upload.song_total or 0) <= ENDED_SONGS_INLINE]
    songs: dict[uuid.UUID, list[EndedSong]] = {upload_id: [] for upload_id in small}
    if small:
        small_ids = bindparam("small_ids", small, type_=ARRAY(Upload.id.type))
        for row in session.execute(
                select(UploadSong.upload_id, UploadSong.folder, UploadSong.stage,
                       UploadSong.error)
                .where(UploadSong.upload_id == any_(small_ids))
                .order_by(UploadSong.upload_id, _FOLDER_ORDER, UploadSong.song_id)):
            songs[row.upload_id].append(EndedSong(folder=row.folder, stage=row.stage,
                                                  error=row.error))
    return {upload.id: EndedUpload(
        state=upload.state, error=upload.error,
        songs=tuple(songs[upload.id]) if upload.id in songs else None) for upload in uploads}
