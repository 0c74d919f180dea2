"""Events about an upload as a whole: received, unpacked into songs, failed, completed, and a
request to generate a song (which becomes an upload of its own)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.events.base import Event, UploadEvent


class UploadOrigin(BaseModel):
    """Where an upload's original is kept."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    bucket: str = Field(description="Bucket holding the original.")
    key: str = Field(description="Object key of the original, or the prefix of a folder upload.")
    filename: str = Field(description="Name the user gave the file or folder.")
    is_folder: bool = Field(default=False, description="The key is a prefix holding loose files.")
    is_chunked: bool = Field(
        default=False, description="The key is a prefix of chunks named by their byte offset, "
        "to be joined in order (a resumable upload).")


class UploadReceived(UploadEvent, event_type="upload.received"):
    """An upload's original is in the uploads bucket and waits to be unpacked."""

    origin: UploadOrigin = Field(description="Where the original is kept.")
    size: int = Field(default=0, ge=0, description="Bytes received.")
    etag: str | None = Field(default=None, description="ETag of the stored original.")
    source: str = Field(default="gateway", description="How the upload arrived: gateway, bucket.")

    @model_validator(mode="before")
    @classmethod
    def _origin_of_schema_version_1(cls, data: Any) -> Any:
        """Schema version 1 carried the origin's fields beside the others."""
        if not isinstance(data, dict) or "origin" in data:
            return data
        flat = {name: data[name] for name in UploadOrigin.model_fields if name in data}
        rest = {name: value for name, value in data.items() if name not in flat}
        return {**rest, "origin": flat}


class FoundSong(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    song_id: uuid.UUID = Field(description="Id given to the song found.")
    folder: str = Field(description="Path of the song folder (or .sng file) inside the upload.")


UNPACKED_SONGS_PER_PART = 1000  # a message stays small and quick to record, whatever the upload


class UploadUnpacked(UploadEvent, event_type="upload.unpacked"):
    """An upload was unpacked and every song folder in it was found and given an id. A large
    upload's songs come in parts: `part` 0, 1, ... each list up to UNPACKED_SONGS_PER_PART of
    them and tell how many the upload holds in all."""

    songs: tuple[FoundSong, ...] = Field(description="Songs found, in a stable order: all of "
                                         "them, or those of this part.")
    song_total: int | None = Field(default=None, ge=0, description="Songs found in the whole "
                                   "upload; absent when this message lists every one.")
    part: int = Field(default=0, ge=0, description="Which part of the upload's songs this is.")

    @classmethod
    def in_parts(cls, previous: Event, songs: Sequence[FoundSong],
                 per_part: int = UNPACKED_SONGS_PER_PART) -> list[Self]:
        """The upload of `previous` unpacked into `songs`, `per_part` songs per message."""
        return [cls.after(previous, songs=tuple(songs[start:start + per_part]),
                          song_total=len(songs), part=part)
                for part, start in enumerate(range(0, max(len(songs), 1), per_part))]

    @classmethod
    def about(cls, upload_id: uuid.UUID, **fields: Any) -> Self:
        """Part 0 has the id an upload's one `upload.unpacked` always had; each other part
        one of its own."""
        part = fields.get("part", 0)
        event_id = cls.id_for(upload_id, 0, part) if part else cls.id_for(upload_id)
        return cls(event_id=event_id, upload_id=upload_id, **fields)

    @property
    def songs_in_upload(self) -> int:
        return len(self.songs) if self.song_total is None else self.song_total


class UploadFailed(UploadEvent, event_type="upload.failed"):
    """An upload as a whole could not be processed (not an archive, damaged, no songs...)."""

    stage: str = Field(description="Stage that failed: unpack or generate.")
    reason: str = Field(description="What went wrong, in words a player understands.")


class UploadCompleted(UploadEvent, event_type="upload.completed"):
    """Every song of an upload reached an end state (published, duplicate or failed)."""

    succeeded: bool = Field(description="No song of the upload failed.")


class SongGenerationRequested(UploadEvent, event_type="generate.requested"):
    """Someone asked for a chart to be generated from an audio file in the uploads bucket."""

    bucket: str = Field(description="Bucket holding the audio file.")
    key: str = Field(description="Object key of the audio file.")
    filename: str = Field(description="Name the user gave the audio file.")
    name: str | None = Field(default=None, description="Song title; else from the audio's tags.")
    artist: str | None = Field(default=None, description="Artist; else from the audio's tags.")
    album: str | None = Field(default=None, description="Album; else from the audio's tags.")
    genre: str | None = Field(default=None, description="Genre; else from the audio's tags.")
    year: str | None = Field(default=None, description="Year; else from the audio's tags.")
