"""The generator: an audio file in, an auto-generated song through the pipeline out."""

from __future__ import annotations

import uuid

from litestar import Request, Response, get, post
from litestar.params import Parameter, QueryParameter
from litestar.response import Template
from pydantic import Field

from services.gateway.answers import Answer
from services.gateway.deps import Gateway
from services.gateway.error_responses import UPLOAD_ERRORS, UploadRefused, retry_later
from services.gateway.guards import require_uploader
from services.gateway.intake import UploadRejected, UploadUnavailable
from services.gateway.rendering.templates import page

AUDIO_SUFFIXES = (".ogg", ".opus", ".mp3", ".wav", ".flac")


@get("/generator", include_in_schema=False, guards=[require_uploader])
async def generator_page(request: Request) -> Template:
    return await page(request, "generator.html", active="generator")


class GenerationAccepted(Answer):
    """The audio is stored; the ingest service makes a song of it."""

    upload_id: uuid.UUID
    status_url: str = Field(description="Where the generation's progress shows, as JSON")
    page_url: str = Field(description="Where it shows as a page, with the chart's preview")


@post("/api/generate", guards=[require_uploader], request_max_body_size=None, status_code=202,
      tags=["generator"], responses=UPLOAD_ERRORS,
      summary="Generate a playable chart from an audio file")
async def generate(request: Request, gateway: Gateway,
                   name: str | None = Parameter(default=None, max_length=200),
                   artist: str | None = Parameter(default=None, max_length=200),
                   album: str | None = Parameter(default=None, max_length=200),
                   genre: str | None = Parameter(default=None, max_length=100),
                   year: str | None = Parameter(default=None, max_length=10),
                   filename: str | None = QueryParameter(name="filename", default=None)
                   ) -> Response[GenerationAccepted]:
    """The audio (ogg, opus, mp3, wav or flac; multipart `file` or a raw body named by
    `?filename=`) is analysed by the ingest service; the song it makes enters the library like
    an upload. Follow it at `status_url`."""
    upload_id = uuid.uuid4()
    tags = {"name": name, "artist": artist, "album": album, "genre": genre, "year": year}
    try:
        await gateway.request_generation(upload_id, request, filename, AUDIO_SUFFIXES, tags)
    except UploadRejected as error:
        return Response(UploadRefused(upload_id=upload_id, error=error.reason),
                        status_code=error.status)
    except UploadUnavailable as error:
        return retry_later(error)
    return Response(GenerationAccepted(upload_id=upload_id,
                                       status_url=f"/api/uploads/{upload_id}",
                                       page_url=f"/uploads/{upload_id}"), status_code=202)
