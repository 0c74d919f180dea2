"""Upload and song events as the pipeline sends them about one upload, for the tests of its
progress rows."""

from __future__ import annotations

import uuid

from shared.events import (
    FoundSong,
    SongAlreadyInLibrary,
    SongCataloged,
    SongExtracted,
    SongFailed,
    SongFound,
    SongParsed,
    SongPublished,
    UploadOrigin,
    UploadReceived,
    UploadUnpacked,
)


def received(upload_id: uuid.UUID) -> UploadReceived:
    return UploadReceived(event_id=uuid.uuid4(), upload_id=upload_id, size=10, origin=UploadOrigin(
        bucket="uploads", key=f"gateway/{upload_id}", filename="Songs.zip"))


def unpacked(upload_id: uuid.UUID, songs: dict[uuid.UUID, str]) -> UploadUnpacked:
    return UploadUnpacked(event_id=uuid.uuid4(), upload_id=upload_id,
                          songs=tuple(FoundSong(song_id=s, folder=f) for s, f in songs.items()))


def song_event(kind, upload_id: uuid.UUID, song_id: uuid.UUID):
    common = {"event_id": uuid.uuid4(), "upload_id": upload_id, "song_id": song_id}
    origin = UploadOrigin(bucket="uploads", key="k", filename="Songs.zip")
    extra = {
        SongFound: {"folder": "Artist/Song", "origin": origin},
        SongExtracted: {"manifest_key": "m", "md5": "0" * 32},
        SongParsed: {"manifest_key": "m", "md5": "0" * 32, "parser_version": 1},
        SongCataloged: {"manifest_key": "m", "content_path": "songs/a/b"},
        SongPublished: {"content_path": "songs/a/b"},
        SongFailed: {"stage": "parse", "reason": "The chart could not be read."},
        SongAlreadyInLibrary: {"existing_song_id": uuid.uuid4(), "md5": "1" * 32},
    }[kind]
    return kind(**common, **extra)
