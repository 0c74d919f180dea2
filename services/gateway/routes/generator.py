"""The generator: an audio file in, an auto-generated song through the pipeline out."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Request, Response, get, post
from litestar.params import Parameter
from litestar.response import Template

from services.gateway.deps import Gateway
from services.gateway.guards import require_uploader
from services.gateway.intake import UploadRejected
from services.gateway.routes.rendering import page

AUDIO_SUFFIXES = (".ogg", ".opus", ".mp3", ".wav", ".flac")


@get("/generator", include_in_schema=False, guards=[require_uploader])
async def generator_page(request: Request) -> Template:
    return await page(request, "generator.html", active="generator")


@post("/api/generate", guards=[require_uploader], request_max_body_size=None, status_code=202,
      tags=["generator"], summary="Generate a playable chart from an audio file")
async def generate(request: Request, gateway: Gateway,
                   name: str | None = Parameter(default=None, max_length=200),
                   artist: str | None = Parameter(default=None, max_length=200),
                   album: str | None = Parameter(default=None, max_length=200),
                   genre: str | None = Parameter(default=None, max_length=100),
                   year: str | None = Parameter(default=None, max_length=10),
                   filename: str | None = Parameter(query="filename", default=None)
                   ) -> Response[dict[str, Any]]:
    """The audio (ogg, opus, mp3, wav or flac; multipart `file` or a raw body named by
    `?filename=`) is analysed by the ingest service; the song it makes enters the library like
    an upload. Follow it at `status_url`."""
    upload_id = uuid.uuid4()
    tags = {"name": name, "artist": artist, "album": album, "genre": genre, "year": year}
    try:
        await gateway.request_generation(upload_id, request, filename, AUDIO_SUFFIXES, tags)
    except UploadRejected as error:
        return Response({"upload_id": str(upload_id), "error": error.reason},
                        status_code=error.status)
    return Response({"upload_id": str(upload_id), "status_url": f"/api/uploads/{upload_id}",
                     "page_url": f"/uploads/{upload_id}"}, status_code=202)
