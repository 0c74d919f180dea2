"""The upload page and each upload's live progress, polled by htmx as an HTML fragment: its songs
counted by state, its failures first, then a page of its songs with a link to the next."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import QueryParameter
from litestar.response import Template
from sqlalchemy.orm import Session

from services.gateway.deps import Gateway
from services.gateway.guards import may_browse, require_uploader
from services.gateway.rendering.templates import page
from shared.persistence import queries
from shared.persistence.upload_status import (
    NotASongOfTheUpload,
    SongState,
    UploadSongStage,
    UploadStatus,
    upload_songs,
    upload_status,
)
from shared.persistence.version_reads import new_versions

END_STATES = {"completed", "completed_with_errors", "failed"}
PAGE_SONGS = 100


@get("/upload", include_in_schema=False, guards=[require_uploader])
async def upload_page(request: Request, gateway: Gateway) -> Template:
    uploads = await gateway.read(queries.recent_uploads, 5)
    return await page(request, "upload.html", active="upload", uploads=uploads,
                      max_bytes=gateway.settings.max_upload_bytes)


def _read_upload(session: Session, upload_id: uuid.UUID, state: SongState | None,
                 after: uuid.UUID | None) -> dict[str, Any] | None:
    """The upload with one page of its songs; on its first page (no state chosen) its first
    failures too; for each published song shown that is a new version of one the library had,
    which song and which rigs get it."""
    status = upload_status(session, upload_id, state=state, after=after, limit=PAGE_SONGS)
    if status is None:
        return None
    failures: tuple[UploadSongStage, ...] = ()
    if state is None and after is None and status.song_counts.failed:
        failures = upload_songs(session, upload_id, state="failed", limit=PAGE_SONGS).songs
    published = [song.song_id for song in status.songs if song.stage == "published"]
    return {"upload": status, "failures": failures,
            "new_versions": new_versions(session, published) if published else {},
            "song_state": state, "links": _links(status, state, after)}


def _links(status: UploadStatus, state: SongState | None,
           after: uuid.UUID | None) -> dict[str, str | None]:
    """Where the fragment polls itself, the next page, and the upload's songs by state."""
    base = f"/uploads/{status.id}"

    def query(**params: Any) -> str:
        given = {name: value for name, value in params.items() if value is not None}
        return f"?{urlencode(given)}" if given else ""

    return {"status": f"{base}/status{query(state=state, after=after)}",
            "next": status.next_after and f"{base}{query(state=state, after=status.next_after)}",
            "all": base, **{name: f"{base}{query(state=name)}" for name in
                            ("failed", "in_progress", "published", "duplicate")}}


async def _upload(gateway: Gateway, upload_id: uuid.UUID, state: SongState | None,
                  after: uuid.UUID | None) -> dict[str, Any]:
    try:
        shown = await gateway.read(_read_upload, upload_id, state, after)
    except NotASongOfTheUpload as error:
        raise ValidationException(str(error)) from error
    if shown is None:
        raise NotFoundException(f"No upload {upload_id}.")
    return shown


STATE = QueryParameter(name="state", default=None)
AFTER = QueryParameter(name="after", default=None)


@get("/uploads/{upload_id:uuid}", include_in_schema=False, guards=[may_browse])
async def upload_detail(request: Request, upload_id: uuid.UUID, gateway: Gateway,
                        song_state: SongState | None = STATE,
                        after: uuid.UUID | None = AFTER) -> Template:
    return await page(request, "upload_detail.html", active="upload",
                      **await _upload(gateway, upload_id, song_state, after), end_states=END_STATES)


@get("/uploads/{upload_id:uuid}/status", include_in_schema=False, guards=[may_browse])
async def upload_status_fragment(request: Request, upload_id: uuid.UUID, gateway: Gateway,
                                 song_state: SongState | None = STATE,
                                 after: uuid.UUID | None = AFTER) -> Template:
    """The fragment keeps polling itself until the upload reaches an end state."""
    return await page(request, "_upload_status.html",
                      **await _upload(gateway, upload_id, song_state, after), end_states=END_STATES)
