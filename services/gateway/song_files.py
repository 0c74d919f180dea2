"""A song's files as the gateway hands them out: its details and manifest from the catalog and
the store, a `.zip` of several songs written blob by blob as it streams, and safe names."""

from __future__ import annotations

import io
import re
import unicodedata
import uuid
import zipfile
from collections.abc import Iterator
from urllib.parse import quote

import anyio
from litestar.exceptions import NotFoundException
from litestar.response import Stream

from services.gateway.deps import Gateway
from shared.manifest import Manifest
from shared.persistence import queries
from shared.persistence.queries import SongDetails
from shared.song_store import SongStore

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


def library_fallbacks(song: SongDetails) -> dict[str, str]:
    """What the library shows for a song, for the .sng metadata keys its files leave out."""
    shown = {"name": song.name, "artist": song.artist, "album": song.album,
             "genre": song.genre, "year": song.year, "charter": song.charter}
    return {key: str(value) for key, value in shown.items() if value}


def folder_name(song: SongDetails) -> str:
    return song.file_path.rstrip("/").rsplit("/", 1)[-1]


async def song_and_manifest(gateway: Gateway, song_id: uuid.UUID
                            ) -> tuple[SongDetails, Manifest]:
    """The song's details and its manifest; NotFoundException (404) when there is no such song."""
    song = await gateway.read(queries.song_details, song_id)
    if song is None:
        raise NotFoundException(f"No song {song_id}.")
    manifest = await anyio.to_thread.run_sync(song_store(gateway).manifest, song.manifest_key)
    return song, manifest


def song_store(gateway: Gateway) -> SongStore:
    return SongStore(gateway.store, gateway.settings.songs_bucket)


async def many_as_zip(gateway: Gateway, song_ids: list[uuid.UUID],
                      filename: str = "clone-hero-songs.zip") -> Stream:
    """The bulk download: every song that still exists, each in its own folder."""
    folders = []
    for song_id in dict.fromkeys(song_ids):
        try:
            song, manifest = await song_and_manifest(gateway, song_id)
        except NotFoundException:
            continue
        folders.append((folder_name(song), manifest))
    return Stream(zip_chunks(song_store(gateway), folders), media_type="application/zip",
                  headers={"Content-Disposition": attachment(filename)})
