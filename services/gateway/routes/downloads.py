"""Songs as files to take home: a `.zip` streamed blob by blob, or a `.sng` container."""

from __future__ import annotations

import uuid

import anyio
from litestar import get
from litestar.exceptions import HTTPException
from litestar.response import Response, Stream

from services.gateway.deps import Gateway
from services.gateway.guards import may_browse
from services.gateway.song_files import (
    attachment,
    folder_name,
    library_fallbacks,
    song_and_manifest,
    song_store,
    zip_chunks,
)
from shared.songs.sng import SngFormatError
from shared.songs.sng_export import song_to_sng


@get("/songs/{song_id:uuid}/download.zip", include_in_schema=False, guards=[may_browse])
async def download_zip(song_id: uuid.UUID, gateway: Gateway) -> Stream:
    song, manifest = await song_and_manifest(gateway, song_id)
    name = folder_name(song)
    return Stream(zip_chunks(song_store(gateway), [(name, manifest)]), media_type="application/zip",
                  headers={"Content-Disposition": attachment(f"{name}.zip")})


@get("/songs/{song_id:uuid}/download.sng", include_in_schema=False, guards=[may_browse])
async def download_sng(song_id: uuid.UUID, gateway: Gateway) -> Response[bytes]:
    song, manifest = await song_and_manifest(gateway, song_id)
    files = song_store(gateway).files(manifest)
    measured = song.metadata.get("audioLength") or song.song_length_ms
    try:
        data = await anyio.to_thread.run_sync(
            lambda: song_to_sng(dict(files), measured, library_fallbacks(song)))
    except SngFormatError as error:
        # A song kept from before its file names were cleaned can hold names .sng refuses.
        raise HTTPException(status_code=422, detail=(
            f"This song cannot be packed as a .sng ({error}); download it as a .zip "
            "instead.")) from error
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": attachment(f"{folder_name(song)}.sng")})
