"""Resumable uploads over HTTP (tus 1.0 core): create, ask the offset, append from it."""

from __future__ import annotations

import uuid

import anyio
from litestar import Controller, Request, Response, head, patch, post
from litestar.exceptions import NotFoundException

from services.gateway.deps import Gateway
from services.gateway.error_responses import retry_later
from services.gateway.guards import require_uploader
from services.gateway.intake import UploadRejected, UploadUnavailable, store_body
from services.gateway.resumable import (
    TUS_VERSION,
    ResumableError,
    ResumableUpload,
    parse_metadata,
    stored_offset,
)
from services.gateway.upload_rows import describe

CHUNK_TYPE = "application/offset+octet-stream"


def _tus(status: int, **headers: str) -> Response[None]:
    return Response(None, status_code=status,
                    headers={"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store",
                             **headers})


def _refused(error: ResumableError | UploadRejected) -> Response[dict[str, str]]:
    return Response({"error": error.reason}, status_code=error.status,
                    headers={"Tus-Resumable": TUS_VERSION})


class ResumableUploadsController(Controller):
    path = "/api/uploads/resumable"
    tags = ["uploads"]
    guards = [require_uploader]

    @post("/", status_code=201, summary="Start a resumable upload (tus creation)")
    async def create(self, request: Request, gateway: Gateway) -> Response:
        """`Upload-Length` (bytes) and `Upload-Metadata` (`filename <base64>`, and
        `generate_difficulties <base64 of "true">` to have Hard, Medium and Easy generated from
        Expert for each song) headers; answers 201 with the upload's `Location`."""
        try:
            length = int(request.headers.get("upload-length", ""))
            metadata = parse_metadata(request.headers.get("upload-metadata"))
            filename = metadata.get("filename")
        except ValueError:
            return _refused(ResumableError("Upload-Length must be a number of bytes.", 400))
        except ResumableError as error:
            return _refused(error)
        if not 0 < length <= gateway.settings.max_upload_bytes:
            return _refused(ResumableError(
                f"The upload must be 1 to {gateway.settings.max_upload_bytes} bytes.", 413))
        session = ResumableUpload(uuid.uuid4(), length, filename or "upload")
        try:
            await gateway.start_resumable(
                session, generate_difficulties=metadata.get("generate_difficulties") == "true")
        except UploadUnavailable as error:
            return retry_later(error, **{"Tus-Resumable": TUS_VERSION})
        return _tus(201, Location=f"{self.path}/{session.upload_id}", **{"Upload-Offset": "0"})

    @head("/{upload_id:uuid}", summary="How many bytes of a resumable upload are stored")
    async def offset(self, upload_id: uuid.UUID, gateway: Gateway) -> Response[None]:
        session = await _session(gateway, upload_id)
        offset = await anyio.to_thread.run_sync(stored_offset, gateway.store,
                                                gateway.settings.uploads_bucket, session)
        return _tus(200, **{"Upload-Offset": str(offset), "Upload-Length": str(session.length)})

    @patch("/{upload_id:uuid}", status_code=200, request_max_body_size=None,
           summary="Append bytes at `Upload-Offset` (204); the last byte starts the pipeline")
    async def append(self, upload_id: uuid.UUID, request: Request, gateway: Gateway) -> Response:
        session = await _session(gateway, upload_id)
        if request.headers.get("content-type", "") != CHUNK_TYPE:
            return _refused(ResumableError(f"Send the bytes as {CHUNK_TYPE}.", 415))
        try:
            return await _append(gateway, session, request)
        except UploadRejected as error:
            return _refused(error)
        except UploadUnavailable as error:
            return retry_later(error, **{"Tus-Resumable": TUS_VERSION})
        except Exception as error:  # the object store is away: the session waits for a retry
            return retry_later(UploadUnavailable(
                f"The bytes could not be stored: {describe(error)}", upload_id),
                **{"Tus-Resumable": TUS_VERSION})


async def _append(gateway: Gateway, session: ResumableUpload, request: Request) -> Response:
    """Store the body as the chunk at the stored offset; the last one announces the upload."""
    bucket = gateway.settings.uploads_bucket
    offset = await anyio.to_thread.run_sync(stored_offset, gateway.store, bucket, session)
    if request.headers.get("upload-offset") != str(offset):
        return _refused(ResumableError(f"The upload continues at byte {offset}.", 409))
    async with gateway.receiving(session.upload_id):
        [chunk] = await store_body(
            request.stream(), content_type=CHUNK_TYPE,
            filename=session.chunk_key(offset).rsplit("/", 1)[-1], store=gateway.store,
            bucket=bucket, prefix=session.prefix.rstrip("/"), max_bytes=session.length - offset,
            turns=gateway.large_file_turns)
    offset += chunk.size
    if offset == session.length:
        await gateway.finish_resumable(session)
    return _tus(204, **{"Upload-Offset": str(offset)})


async def _session(gateway: Gateway, upload_id: uuid.UUID) -> ResumableUpload:
    session = await gateway.resumable_session(upload_id)
    if session is None:
        raise NotFoundException(f"No resumable upload {upload_id} is waiting for bytes.")
    return session
