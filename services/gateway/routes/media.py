"""Album art and audio from the object store, with headers that keep hostile files inert."""

from __future__ import annotations

import re
import uuid

import anyio
from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response

from services.gateway.deps import Gateway
from services.gateway.guards import may_browse
from services.gateway.song_files import song_and_manifest, song_store
from services.gateway.song_media import audio_type, playable_audio, sniff_image
from shared.songs.folder import pick_album

# Art may be anything a charter dropped in; an SVG must never run script or load anything.
ART_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


@get("/songs/{song_id:uuid}/art", include_in_schema=False, guards=[may_browse])
async def album_art(song_id: uuid.UUID, gateway: Gateway) -> Response[bytes]:
    _, manifest = await song_and_manifest(gateway, song_id)
    names = [entry.name for entry in manifest.files]
    name = pick_album(names).name
    if name is None:
        raise NotFoundException("This song has no album art.")
    data = await anyio.to_thread.run_sync(song_store(gateway).read, manifest.file(name))
    return Response(data, media_type=sniff_image(data), headers={
        "Content-Security-Policy": ART_POLICY, "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600", "Content-Disposition": "inline"})


@get("/songs/{song_id:uuid}/audio", include_in_schema=False, guards=[may_browse])
async def audio(song_id: uuid.UUID, request: Request, gateway: Gateway) -> Response[bytes]:
    """The preview (or main) audio, with byte ranges so the player can seek to the preview."""
    _, manifest = await song_and_manifest(gateway, song_id)
    entry = playable_audio(manifest)
    if entry is None:
        raise NotFoundException("This song has no audio the browser can play.")
    data = await anyio.to_thread.run_sync(song_store(gateway).read, entry)
    media_type = audio_type(entry)
    headers = {"Accept-Ranges": "bytes", "Content-Security-Policy": "default-src 'none'",
               "Cache-Control": "private, max-age=3600"}
    match = _RANGE.match(request.headers.get("range", ""))
    if not match or not any(match.groups()):
        return Response(data, media_type=media_type, headers=headers)
    start, end = _byte_range(match, len(data))
    if start >= len(data) or start > end:
        return Response(b"", status_code=416,
                        headers={**headers, "Content-Range": f"bytes */{len(data)}"})
    return Response(data[start:end + 1], status_code=206, media_type=media_type,
                    headers={**headers, "Content-Range": f"bytes {start}-{end}/{len(data)}"})


def _byte_range(match: re.Match, size: int) -> tuple[int, int]:
    first, last = match.groups()
    if not first:  # "bytes=-500": the last 500 bytes
        return max(0, size - int(last)), size - 1
    return int(first), min(int(last), size - 1) if last else size - 1
