"""The uploads API: uploads in, one upload's progress with its songs, and which of many
uploads have ended (one read for a client waiting on thousands, as `chhub import` does)."""

from __future__ import annotations

import uuid
from typing import Annotated

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import QueryParameter
from litestar.status_codes import HTTP_202_ACCEPTED
from pydantic import BaseModel, Field

from services.gateway.answers import Answer, absent_when_none
from services.gateway.deps import Gateway
from services.gateway.error_responses import UPLOAD_ERRORS, UploadRefused, retry_later
from services.gateway.guards import may_browse, require_uploader
from services.gateway.intake import UploadRejected, UploadUnavailable
from shared.persistence.upload_status import (
    EndedUpload,
    NotASongOfTheUpload,
    SongState,
    UploadStatus,
    ended_outcomes,
    ended_uploads,
    upload_status,
)

UPLOAD_SONGS_PAGE, UPLOAD_SONGS_MAX = 100, 500
ENDED_MAX = 1000  # uploads asked about at once


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

    @post("/ended", guards=[may_browse], status_code=200,
          summary="Which of these uploads have ended, and in what state")
    async def ended(self, data: UploadsAsked, gateway: Gateway) -> EndedUploads:
        """One read for many uploads, as a client waiting for thousands asks: those still on
        their way (or unknown) are left out. With `with_songs`, each ended upload's outcome
        comes too, with its songs when it holds at most 100; read a larger one's songs by
        pages from its status."""
        if not data.with_songs:
            return EndedUploads(ended=await gateway.read(ended_uploads, data.upload_ids))
        outcomes = await gateway.read(ended_outcomes, data.upload_ids)
        return EndedUploads(ended={upload_id: outcome.state
                                   for upload_id, outcome in outcomes.items()},
                            outcomes=outcomes)


class UploadAccepted(Answer):
    """The bytes are stored; the pipeline takes it from here."""

    upload_id: uuid.UUID
    status_url: str = Field(description="Where the upload's progress shows")


class UploadsAsked(BaseModel):
    upload_ids: Annotated[list[uuid.UUID], Field(max_length=ENDED_MAX)]
    with_songs: bool = Field(default=False, description=(
        "Answer each ended upload's outcome too, with its songs when it holds few"))


class EndedUploads(Answer):
    ended: dict[uuid.UUID, str] = Field(description=(
        "Each ended upload's state (completed, completed_with_errors or failed); uploads "
        "still on their way are left out"))
    outcomes: dict[uuid.UUID, EndedUpload] | None = Field(
        default=None, exclude_if=absent_when_none, description=(
        "How each ended upload ended, when asked `with_songs`"))
