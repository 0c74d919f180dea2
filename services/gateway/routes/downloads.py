"""Songs as files to take home: a `.zip` streamed blob by blob, or a `.sng` container."""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator
from urllib.parse import quote

import anyio
from litestar import get
from litestar.exceptions import NotFoundException
from litestar.response import Response, Stream

from services.catalog import queries
from services.gateway.deps import Gateway
from services.gateway.guards import may_browse
from shared.manifest import Manifest
from shared.song_store import SongStore
from shared.songs.sng import folder_to_sng

# Already compressed: deflating them again costs time and saves nothing.
STORED = (".ogg", ".opus", ".mp3", ".png", ".jpg", ".jpeg", ".webm", ".mp4", ".sng", ".zip")


class _Sink(io.RawIOBase):
    """A write-only stream whose bytes are handed out as they come."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self._chunks = b"".join(self._chunks), []
        return data


def zip_chunks(songs: SongStore, folders: list[tuple[str, Manifest]]) -> Iterator[bytes]:
    """A zip of each (folder name, manifest), written one file at a time."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w") as archive:
        for folder, manifest in folders:
            for entry in manifest.files:
                method = (zipfile.ZIP_STORED if entry.name.lower().endswith(STORED)
                          else zipfile.ZIP_DEFLATED)
                info = zipfile.ZipInfo(f"{folder}/{entry.name}")
                info.compress_type = method
                with archive.open(info, "w", force_zip64=entry.size > 2**31) as out:
                    out.write(songs.read(entry))
                yield sink.take()
    yield sink.take()


def attachment(filename: str) -> str:
    """A Content-Disposition value safe for any song name."""
    plain = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._ -]+", "_", plain).strip() or "song"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename)}"


def folder_name(song: dict) -> str:
    return song["file_path"].rstrip("/").rsplit("/", 1)[-1]


async def song_and_manifest(gateway: Gateway, song_id: uuid.UUID) -> tuple[dict, Manifest]:
    song = await gateway.read(queries.song_details, song_id)
    if song is None:
        raise NotFoundException(f"No song {song_id}.")
    manifest = await anyio.to_thread.run_sync(song_store(gateway).manifest, song["manifest_key"])
    return song, manifest


def song_store(gateway: Gateway) -> SongStore:
    return SongStore(gateway.store, gateway.settings.songs_bucket)


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
    data = await anyio.to_thread.run_sync(lambda: folder_to_sng(dict(files)))
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": attachment(f"{folder_name(song)}.sng")})


async def many_as_zip(gateway: Gateway, song_ids: list[uuid.UUID]) -> Stream:
    """The bulk download: every song that still exists, each in its own folder."""
    folders = []
    for song_id in dict.fromkeys(song_ids):
        try:
            song, manifest = await song_and_manifest(gateway, song_id)
        except NotFoundException:
            continue
        folders.append((folder_name(song), manifest))
    return Stream(zip_chunks(song_store(gateway), folders), media_type="application/zip",
                  headers={"Content-Disposition": attachment("clone-hero-songs.zip")})
