"""The JSON API: uploads in, upload progress, songs, health."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

import anyio
import structlog
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.exceptions import NotFoundException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.params import Parameter, QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import text

from services.gateway.answers import Answer, absent_when_none
from services.gateway.deps import Gateway
from services.gateway.error_responses import UPLOAD_ERRORS, UploadRefused, retry_later
from services.gateway.guards import (
    may_browse,
    principal_if_any,
    require_admin,
    require_uploader,
)
from services.gateway.intake import UploadRejected, UploadUnavailable
from services.gateway.rendering.difficulties import difficulty_offer
from shared.persistence import queries
from shared.persistence.upload_status import (
    NotASongOfTheUpload,
    SongState,
    UploadStatus,
    upload_status,
)

log = structlog.get_logger(__name__)

UPLOAD_SONGS_PAGE, UPLOAD_SONGS_MAX = 100, 500


class UploadsController(Controller):
    path = "/api/uploads"
    tags = ["uploads"]

    @post("/", guards=[require_uploader], request_max_body_size=None, status_code=202,
          responses=UPLOAD_ERRORS,
          summary="Upload song archives, .sng files or a folder of song files")
    async def create(self, request: Request, gateway: Gateway,
                     filename: str | None = QueryParameter(name="filename", default=None),
                     generate_difficulties: bool = QueryParameter(
                         name="generate_difficulties", default=False,
                         description="Generate Hard, Medium and Easy from Expert for each "
                                     "song's parts charted on Expert only, once cataloged.")
                     ) -> Response[UploadAccepted]:
        """Multipart (`file` fields; several or path-like names make a folder upload), or a raw
        body named by `?filename=`. Answers 202 with the upload id as soon as the bytes are
        stored; follow progress at `status_url`. When the object store or the database is
        away it answers 503 with `retryable: true` and `Retry-After`: send it again then."""
        upload_id = uuid.uuid4()
        try:
            await gateway.receive_upload(upload_id, request, filename, generate_difficulties)
        except UploadRejected as error:
            return Response(UploadRefused(upload_id=upload_id, error=error.reason),
                            status_code=error.status)
        except UploadUnavailable as error:
            return retry_later(error)
        return Response(UploadAccepted(upload_id=upload_id,
                                       status_url=f"/api/uploads/{upload_id}"),
                        status_code=HTTP_202_ACCEPTED)

    @get("/{upload_id:uuid}", guards=[may_browse],
         summary="An upload's state, its songs counted by state, and one page of its songs")
    async def show(self, upload_id: uuid.UUID, gateway: Gateway,
                   song_state: SongState | None = QueryParameter(
                       name="state", default=None,
                       description="Only songs in this state: `failed` lists every failure, "
                                   "`in_progress` the songs still on their way."),
                   after: uuid.UUID | None = QueryParameter(
                       name="after", default=None,
                       description="The songs after this one in folder order: the previous "
                                   "page's `next_after`."),
                   limit: int = QueryParameter(
                       name="limit", default=UPLOAD_SONGS_PAGE, ge=1, le=UPLOAD_SONGS_MAX,
                       description="Songs in the page at most.")) -> UploadStatus:
        """`song_counts` counts every song of the upload; `songs` holds one page of them in
        folder order. Follow `next_after` until it is null to read them all, each once."""
        try:
            status = await gateway.read(upload_status, upload_id, state=song_state, after=after,
                                        limit=limit,
                                        trace_url_template=gateway.settings.trace_url_template)
        except NotASongOfTheUpload as error:
            raise ValidationException(str(error)) from error
        if status is None:
            raise NotFoundException(f"No upload {upload_id}.")
        return status


class SongSummary(Answer):
    id: uuid.UUID
    name: str
    artist: str
    album: str | None
    genre: str | None
    year: str | None
    charter: str | None
    song_length_ms: int | None
    md5: str = Field(description="scan-chart's folder hash of the song's files")
    revision: int
    file_path: str = Field(description="Its folder in the content folder")
    created_at: str = Field(description="When it entered the library (ISO 8601)")
    updated_at: str = Field(description="When it last changed (ISO 8601)")


class SongList(Answer):
    total: int = Field(description="Songs matching in all")
    page: int
    per_page: int
    items: list[SongSummary]


class SongEditRefused(Answer):
    song_id: uuid.UUID
    error: str = Field(description="Why nothing changed")


class SongsController(Controller):
    path = "/api/songs"
    tags = ["songs"]

    @get("/", guards=[may_browse],
         summary="Songs, newest first, with a text search and a total count")
    async def list_songs(self, gateway: Gateway,
                         q: str | None = Parameter(default=None, max_length=200),
                         page: int = Parameter(default=1, ge=1),
                         per_page: int = Parameter(default=50, ge=1, le=200)) -> SongList:
        result = await gateway.read(queries.search_songs, q, page=page, per_page=per_page)
        return SongList(total=result.total, page=page, per_page=per_page,
                        items=[SongSummary(**item) for item in result.items])

    @post("/known", guards=[may_browse], status_code=200,
          summary="Which of these content hashes (scan-chart folder md5) the library holds")
    async def known(self, data: KnownSongsQuery, gateway: Gateway) -> KnownSongs:
        """Lets an importer skip songs the library already has before it sends any bytes."""
        return KnownSongs(known=sorted(await gateway.read(queries.known_md5s, data.md5)))

    @get("/{song_id:uuid}", guards=[may_browse],
         summary="One song with everything the catalog knows")
    async def show(self, song_id: uuid.UUID, gateway: Gateway) -> queries.SongDetails:
        details = await gateway.read(queries.song_details, song_id)
        if details is None:
            raise NotFoundException(f"No song {song_id}.")
        return details

    @patch("/{song_id:uuid}", guards=[require_admin], status_code=202,
           summary="Change song.ini fields; the new revision goes through the pipeline")
    async def edit(self, song_id: uuid.UUID, data: SongEdit, gateway: Gateway
                   ) -> SongEditRequested:
        revision = await gateway.request_edit(song_id, data.changes)
        if revision is None:
            raise NotFoundException(f"No song {song_id}.")
        return SongEditRequested(song_id=song_id, revision=revision)

    @post("/{song_id:uuid}/difficulties", guards=[require_admin], status_code=202,
          responses={409: ResponseSpec(SongEditRefused, description=(
              "The song has nothing to generate or remove"))},
          summary="Generate Hard, Medium and Easy from Expert, or remove the generated ones")
    async def difficulties(self, song_id: uuid.UUID, data: DifficultiesEdit, gateway: Gateway
                           ) -> Response[SongEditRequested]:
        """`generate` fills in the parts charted on Expert only and marks them in song.ini
        (`generated_difficulties`); `remove` takes out what song.ini marks. Either makes a new
        revision through the pipeline; 409 when the song has nothing to generate or remove."""
        song = await gateway.read(queries.song_details, song_id)
        if song is None:
            raise NotFoundException(f"No song {song_id}.")
        offer = difficulty_offer(song.metadata)
        if not offer.allows(data.action):
            return Response(SongEditRefused(song_id=song_id, error=offer.refusal(data.action)),
                            status_code=409)
        revision = await gateway.request_edit(song_id, {}, data.action)
        return Response(SongEditRequested(song_id=song_id, revision=revision), status_code=202)

    @delete("/{song_id:uuid}", guards=[require_admin], status_code=202,
            summary="Delete a song from the catalog, the object store and the content folder")
    async def remove(self, song_id: uuid.UUID, gateway: Gateway) -> SongDeleteRequested:
        if not await gateway.request_delete(song_id):
            raise NotFoundException(f"No song {song_id}.")
        return SongDeleteRequested(song_id=song_id)


class UploadAccepted(Answer):
    """The bytes are stored; the pipeline takes it from here."""

    upload_id: uuid.UUID
    status_url: str = Field(description="Where the upload's progress shows")


class KnownSongs(Answer):
    known: list[str] = Field(description="The folder hashes asked for that the library holds")


class SongEditRequested(Answer):
    song_id: uuid.UUID
    revision: int = Field(description=(
        "The revision the song will have once edited, or a later one when other edits of it "
        "were sent first: edits of a song are applied in turn, each on its newest revision"))


class SongDeleteRequested(Answer):
    song_id: uuid.UUID
    deleted: Literal[True] = True


class KnownSongsQuery(BaseModel):
    md5: list[Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]] = Field(
        max_length=5000, description="Folder hashes to look up.")


class SongEdit(BaseModel):
    """song.ini keys to set; null removes a key."""

    changes: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")],
                  Annotated[str, StringConstraints(max_length=1000, pattern=r"^[^\r\n]*$")]
                  | None] = Field(min_length=1)


class DifficultiesEdit(BaseModel):
    """What to do with the lower difficulties generated from Expert."""

    action: Literal["generate", "remove"] = Field(
        description="`generate` the missing Hard, Medium and Easy, or `remove` the generated "
                    "ones.")


class Health(Answer):
    """`ok`, `unavailable` or `waiting for …`; what failed only for admins."""

    status: str
    waiting_for: dict[str, str] | None = Field(
        default=None, exclude_if=absent_when_none,
        description="Admins only: each dependency still awaited at start, and why")
    checks: dict[str, str] | None = Field(
        default=None, exclude_if=absent_when_none,
        description="Admins only: `ok` or the error of the database, broker and object store")


@get("/health", tags=["operations"],
     responses={503: ResponseSpec(Health, description="Unavailable, or still starting")},
     summary="Database, broker and object store reachable; which failed, for admins only")
async def health(request: Request, gateway: Gateway, state: State) -> Response[Health]:
    """Anyone learns `ok`, `unavailable`, or which dependencies the gateway still waits for at
    start; what failed and why goes to the log, and to admins (a session or API token), since
    error texts name hosts, ports and accounts."""
    principal = await principal_if_any(request)
    is_admin = principal is not None and principal.may("admin")
    waiting: dict[str, str] = state.readiness.waiting
    if waiting:
        return Response(Health(status="waiting for " + ", ".join(waiting),
                               waiting_for=waiting if is_admin else None), status_code=503)
    checks = {
        "database": await _check(lambda: gateway.read(lambda s: s.execute(text("SELECT 1")))),
        "broker": await _check(gateway.ping_broker),
        "object_store": await _check(lambda: anyio.to_thread.run_sync(
            gateway.store.bucket_exists, gateway.settings.uploads_bucket)),
    }
    healthy = all(value == "ok" for value in checks.values())
    if not healthy:
        log.warning("health.unavailable", **checks)
    return Response(Health(status="ok" if healthy else "unavailable",
                           checks=checks if is_admin else None),
                    status_code=200 if healthy else 503)


async def _check(probe) -> str:
    try:
        with anyio.fail_after(5):
            result = await probe()
    except Exception as error:
        return f"error: {error}"[:200] or "error"
    return "ok" if result is not False else "error: unavailable"
