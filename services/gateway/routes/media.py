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
from services.gateway.routes.downloads import song_and_manifest, song_store
from shared.songs.folder import pick_album

# Art may be anything a charter dropped in; an SVG must never run script or load anything.
ART_POLICY = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
AUDIO_NAMES = ("preview", "song", "guitar", "rhythm", "bass", "drums", "vocals", "keys", "crowd")
AUDIO_TYPES = {".ogg": "audio/ogg", ".opus": "audio/ogg", ".mp3": "audio/mpeg",
               ".wav": "audio/wav"}
_RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


def sniff_image(data: bytes) -> str:
    """The image type from the bytes themselves, never from the file name."""
    head = data[:512]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if b"<svg" in head.lower():
        return "image/svg+xml"
    return "application/octet-stream"


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
    entry = _audio_entry(manifest)
    if entry is None:
        raise NotFoundException("This song has no audio the browser can play.")
    data = await anyio.to_thread.run_sync(song_store(gateway).read, entry)
    media_type = AUDIO_TYPES[entry.name[entry.name.rfind("."):].lower()]
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


def _audio_entry(manifest):
    by_stem = {}
    for entry in manifest.files:
        stem, _, ext = entry.name.lower().rpartition(".")
        if "/" not in entry.name and f".{ext}" in AUDIO_TYPES:
            by_stem.setdefault(stem, entry)
    return next((by_stem[n] for n in AUDIO_NAMES if n in by_stem), None)
