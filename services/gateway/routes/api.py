"""The JSON API: uploads in, upload progress, songs, health."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import anyio
from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.exceptions import NotFoundException
from litestar.params import Parameter
from litestar.status_codes import HTTP_202_ACCEPTED
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import text

from services.catalog import queries
from services.gateway.deps import Gateway
from services.gateway.guards import require_admin, require_uploader
from services.gateway.intake import UploadRejected


class UploadsController(Controller):
    path = "/api/uploads"
    tags = ["uploads"]

    @post("/", guards=[require_uploader], request_max_body_size=None, status_code=202,
          summary="Upload song archives, .sng files or a folder of song files")
    async def create(self, request: Request, gateway: Gateway,
                     filename: str | None = Parameter(query="filename", default=None)
                     ) -> Response[dict[str, Any]]:
        """Multipart (`file` fields; several or path-like names make a folder upload), or a raw
        body named by `?filename=`. Answers 202 with the upload id as soon as the bytes are
        stored; follow progress at `status_url`."""
        upload_id = uuid.uuid4()
        try:
            await gateway.receive_upload(upload_id, request, filename)
        except UploadRejected as error:
            return Response({"upload_id": str(upload_id), "error": error.reason},
                            status_code=error.status)
        return Response({"upload_id": str(upload_id),
                         "status_url": f"/api/uploads/{upload_id}"},
                        status_code=HTTP_202_ACCEPTED)

    @get("/{upload_id:uuid}", summary="An upload's state and each of its songs' stage")
    async def show(self, upload_id: uuid.UUID, gateway: Gateway) -> dict[str, Any]:
        details = await gateway.read(queries.upload_details, upload_id,
                                     trace_url_template=gateway.settings.trace_url_template)
        if details is None:
            raise NotFoundException(f"No upload {upload_id}.")
        return details


class SongsController(Controller):
    path = "/api/songs"
    tags = ["songs"]

    @get("/", summary="Songs, newest first, with a text search and a total count")
    async def list_songs(self, gateway: Gateway,
                         q: str | None = Parameter(default=None, max_length=200),
                         page: int = Parameter(default=1, ge=1),
                         per_page: int = Parameter(default=50, ge=1, le=200)) -> dict[str, Any]:
        result = await gateway.read(queries.search_songs, q, page=page, per_page=per_page)
        return {"total": result.total, "page": page, "per_page": per_page,
                "items": result.items}

    @post("/known", status_code=200,
          summary="Which of these content hashes (scan-chart folder md5) the library holds")
    async def known(self, data: KnownSongsQuery, gateway: Gateway) -> dict[str, list[str]]:
        """Lets an importer skip songs the library already has before it sends any bytes."""
        return {"known": sorted(await gateway.read(queries.known_md5s, data.md5))}

    @get("/{song_id:uuid}", summary="One song with everything the catalog knows")
    async def show(self, song_id: uuid.UUID, gateway: Gateway) -> dict[str, Any]:
        details = await gateway.read(queries.song_details, song_id)
        if details is None:
            raise NotFoundException(f"No song {song_id}.")
        return details

    @patch("/{song_id:uuid}", guards=[require_admin], status_code=202,
           summary="Change song.ini fields; the new revision goes through the pipeline")
    async def edit(self, song_id: uuid.UUID, data: SongEdit, gateway: Gateway
                   ) -> dict[str, Any]:
        revision = await gateway.request_edit(song_id, data.changes)
        if revision is None:
            raise NotFoundException(f"No song {song_id}.")
        return {"song_id": str(song_id), "revision": revision}

    @delete("/{song_id:uuid}", guards=[require_admin], status_code=202,
            summary="Delete a song from the catalog, the object store and the content folder")
    async def remove(self, song_id: uuid.UUID, gateway: Gateway) -> dict[str, Any]:
        if not await gateway.request_delete(song_id):
            raise NotFoundException(f"No song {song_id}.")
        return {"song_id": str(song_id), "deleted": True}


class KnownSongsQuery(BaseModel):
    md5: list[Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{32}$")]] = Field(
        max_length=5000, description="Folder hashes to look up.")


class SongEdit(BaseModel):
    """song.ini keys to set; null removes a key."""

    changes: dict[Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,63}$")],
                  Annotated[str, StringConstraints(max_length=1000, pattern=r"^[^\r\n]*$")]
                  | None] = Field(min_length=1)


@get("/health", tags=["operations"], summary="Database, broker and object store reachable")
async def health(gateway: Gateway) -> Response[dict[str, Any]]:
    checks = {
        "database": await _check(lambda: gateway.read(lambda s: s.execute(text("SELECT 1")))),
        "broker": await _check(gateway.ping_broker),
        "object_store": await _check(lambda: anyio.to_thread.run_sync(
            gateway.store.bucket_exists, gateway.settings.uploads_bucket)),
    }
    healthy = all(value == "ok" for value in checks.values())
    return Response({"status": "ok" if healthy else "unavailable", "checks": checks},
                    status_code=200 if healthy else 503)


async def _check(probe) -> str:
    try:
        with anyio.fail_after(5):
            result = await probe()
    except Exception as error:
        return f"error: {error}"[:200] or "error"
    return "ok" if result is not False else "error: unavailable"
