"""Every event of a song's and an upload's life, as frozen pydantic models.

Events carry ids, object keys and hashes, never file bytes. Schemas only grow: new fields are
optional, unknown fields are ignored, so events recorded by any earlier version still load.
Each event id is derived from what the event is about (see `event_id`), so a redelivered step
publishes the same event again rather than a second, different one.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

SCHEMA_VERSION = 1
_NAMESPACE = uuid.UUID("4f8e2a57-6a0e-4d53-9c51-2b1f0f3c9a10")


def event_id(kind: str, subject: uuid.UUID | str, revision: int = 0, *extra: object) -> uuid.UUID:
    """The deterministic id of the event `kind` about `subject` at `revision`."""
    parts = ":".join(str(part) for part in (kind, subject, revision, *extra))
    return uuid.uuid5(_NAMESPACE, parts)


def song_id_for(upload_id: uuid.UUID, folder: str) -> uuid.UUID:
    """The id a song found at `folder` of an upload keeps for life."""
    return uuid.uuid5(_NAMESPACE, f"song:{upload_id}:{folder}")


def _now() -> datetime:
    return datetime.now(UTC)


class Event(BaseModel):
    """Fields every event carries."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    routing_key: ClassVar[str]

    event_id: uuid.UUID = Field(description="Deterministic id: the same step yields the same id.")
    upload_id: uuid.UUID | None = Field(
        default=None, description="Correlation id: the upload this event belongs to."
    )
    occurred_at: datetime = Field(default_factory=_now, description="When the event happened.")
    schema_version: int = Field(default=SCHEMA_VERSION, description="Event schema version.")


class SongEvent(Event):
    song_id: uuid.UUID = Field(description="The song's id, stable for its whole life.")
    revision: int = Field(default=1, ge=1, description="The song's revision; grows on each change.")


# --- uploads -------------------------------------------------------------------------------------


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


class UploadReceived(Event):
    """An upload's original is in the uploads bucket and waits to be unpacked."""

    routing_key: ClassVar[str] = "upload.received"
    event_type: Literal["upload.received"] = "upload.received"
    bucket: str = Field(description="Bucket holding the original.")
    key: str = Field(description="Object key of the original, or the prefix of a folder upload.")
    filename: str = Field(description="Name the user gave the file or folder.")
    size: int = Field(default=0, ge=0, description="Bytes received.")
    etag: str | None = Field(default=None, description="ETag of the stored original.")
    is_folder: bool = Field(default=False, description="The key is a prefix holding loose files.")
    is_chunked: bool = Field(default=False, description="The key is a prefix of ordered chunks.")
    source: str = Field(default="gateway", description="How the upload arrived: gateway, bucket.")

    @property
    def origin(self) -> UploadOrigin:
        return UploadOrigin(bucket=self.bucket, key=self.key, filename=self.filename,
                            is_folder=self.is_folder, is_chunked=self.is_chunked)


class FoundSong(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    song_id: uuid.UUID = Field(description="Id given to the song found.")
    folder: str = Field(description="Path of the song folder (or .sng file) inside the upload.")


class UploadUnpacked(Event):
    """An upload was unpacked and every song folder in it was found and given an id."""

    routing_key: ClassVar[str] = "upload.unpacked"
    event_type: Literal["upload.unpacked"] = "upload.unpacked"
    songs: tuple[FoundSong, ...] = Field(description="Every song found, in a stable order.")


class UploadFailed(Event):
    """An upload as a whole could not be processed (not an archive, damaged, no songs...)."""

    routing_key: ClassVar[str] = "upload.failed"
    event_type: Literal["upload.failed"] = "upload.failed"
    stage: str = Field(description="Stage that failed: unpack.")
    reason: str = Field(description="What went wrong, in words a player understands.")


class UploadCompleted(Event):
    """Every song of an upload reached an end state (published, duplicate or failed)."""

    routing_key: ClassVar[str] = "upload.completed"
    event_type: Literal["upload.completed"] = "upload.completed"
    succeeded: bool = Field(description="No song of the upload failed.")


class SongGenerationRequested(Event):
    """Someone asked for a chart to be generated from an audio file in the uploads bucket."""

    routing_key: ClassVar[str] = "generate.requested"
    event_type: Literal["generate.requested"] = "generate.requested"
    bucket: str = Field(description="Bucket holding the audio file.")
    key: str = Field(description="Object key of the audio file.")
    filename: str = Field(description="Name the user gave the audio file.")
    name: str | None = Field(default=None, description="Song title; else from the audio's tags.")
    artist: str | None = Field(default=None, description="Artist; else from the audio's tags.")
    album: str | None = Field(default=None, description="Album; else from the audio's tags.")
    genre: str | None = Field(default=None, description="Genre; else from the audio's tags.")
    year: str | None = Field(default=None, description="Year; else from the audio's tags.")


# --- songs ---------------------------------------------------------------------------------------


class SongFound(SongEvent):
    """A song folder was found in an unpacked upload and waits to be extracted."""

    routing_key: ClassVar[str] = "song.found"
    event_type: Literal["song.found"] = "song.found"
    folder: str = Field(description="Path of the song folder (or .sng file) inside the upload.")
    origin: UploadOrigin = Field(description="The upload's original, to unpack it again.")


class SongExtracted(SongEvent):
    """A song's files are stored by content and listed in the manifest of its revision."""

    routing_key: ClassVar[str] = "song.extracted"
    event_type: Literal["song.extracted"] = "song.extracted"
    manifest_key: str = Field(description="Object key of this revision's manifest.")
    md5: str = Field(description="Folder hash over every file's name and bytes (scan-chart md5).")
    file_count: int = Field(default=0, ge=0, description="Files in the song.")
    total_bytes: int = Field(default=0, ge=0, description="Bytes of all the song's files.")


class SongAlreadyInLibrary(SongEvent):
    """An uploaded song's content is already in the library; nothing new was stored."""

    routing_key: ClassVar[str] = "song.duplicate"
    event_type: Literal["song.duplicate"] = "song.duplicate"
    existing_song_id: uuid.UUID = Field(description="The song in the library with this content.")
    md5: str = Field(description="The shared folder hash.")


class SongParsed(SongEvent):
    """A song's song.ini and chart were read."""

    routing_key: ClassVar[str] = "song.parsed"
    event_type: Literal["song.parsed"] = "song.parsed"
    manifest_key: str = Field(description="Object key of this revision's manifest.")
    md5: str = Field(description="Folder hash (scan-chart md5).")
    parser_version: int = Field(description="Version of the parser that read the song.")
    name: str | None = Field(default=None, description="Song title.")
    artist: str | None = Field(default=None, description="Artist.")
    album: str | None = Field(default=None, description="Album.")
    genre: str | None = Field(default=None, description="Genre.")
    year: str | None = Field(default=None, description="Year as written by the charter.")
    charter: str | None = Field(default=None, description="Who charted the song.")
    song_length_ms: int | None = Field(default=None, description="Length in milliseconds.")
    chart_file: str | None = Field(default=None, description="Chart file used: notes.chart/mid.")
    scan: dict[str, Any] = Field(
        default_factory=dict, description="Everything the chart scan found; grows with the parser."
    )


class SongCataloged(SongEvent):
    """A song revision is in the catalog, with the folder it is published to."""

    routing_key: ClassVar[str] = "song.cataloged"
    event_type: Literal["song.cataloged"] = "song.cataloged"
    manifest_key: str = Field(description="Object key of this revision's manifest.")
    content_path: str = Field(description="Folder, relative to the content root, to publish to.")
    previous_content_path: str | None = Field(
        default=None, description="Folder of the previous revision, when it moved."
    )


class SongPublished(SongEvent):
    """A song revision is in the content folder, ready for Syncthing."""

    routing_key: ClassVar[str] = "song.published"
    event_type: Literal["song.published"] = "song.published"
    content_path: str = Field(description="Folder, relative to the content root.")


class SongFailed(SongEvent):
    """A song could not go further; the reason says why in plain words."""

    routing_key: ClassVar[str] = "song.failed"
    event_type: Literal["song.failed"] = "song.failed"
    stage: str = Field(description="Stage that failed: extract, parse, catalog or publish.")
    reason: str = Field(description="What went wrong, in words a player understands.")


class SongEdited(SongEvent):
    """A song's metadata was changed; `revision` is the new revision."""

    routing_key: ClassVar[str] = "song.edited"
    event_type: Literal["song.edited"] = "song.edited"
    manifest_key: str = Field(description="Manifest of the new revision.")
    changes: dict[str, str | None] = Field(default_factory=dict, description="Fields changed.")


class SongEditRequested(SongEvent):
    """Someone asked to change a song's metadata; `revision` is the revision they edited."""

    routing_key: ClassVar[str] = "song.edit_requested"
    event_type: Literal["song.edit_requested"] = "song.edit_requested"
    manifest_key: str = Field(description="Manifest of the revision that was edited.")
    changes: dict[str, str | None] = Field(
        description="song.ini keys to set (None removes the key).")


class SongDeleted(SongEvent):
    """A tombstone: the song leaves the catalog, the object store and the content folder."""

    routing_key: ClassVar[str] = "song.deleted"
    event_type: Literal["song.deleted"] = "song.deleted"
    content_path: str | None = Field(default=None, description="Folder it was published to.")


# --- custom content and rigs ---------------------------------------------------------------------


class CustomContentEvent(Event):
    content_id: uuid.UUID = Field(description="The custom content's id, stable for its life.")
    kind: Literal["background", "color", "highway"] = Field(
        description="Which kind: background, color (a color profile) or highway.")


class CustomContentUploaded(CustomContentEvent):
    """A background, color profile or highway is in the uploads bucket, to be checked."""

    routing_key: ClassVar[str] = "custom.uploaded"
    event_type: Literal["custom.uploaded"] = "custom.uploaded"
    bucket: str = Field(description="Bucket holding the uploaded file.")
    key: str = Field(description="Object key of the uploaded file.")
    filename: str = Field(description="Name the user gave the file.")
    size: int = Field(default=0, ge=0, description="Bytes received.")


class CustomContentValidated(CustomContentEvent):
    """The file is usable by Clone Hero and stored by content (sha256) in the songs bucket."""

    routing_key: ClassVar[str] = "custom.validated"
    event_type: Literal["custom.validated"] = "custom.validated"
    filename: str = Field(description="File name on rigs, in characters every system accepts.")
    sha256: str = Field(description="Hex sha256 of the bytes; the blob's key derives from it.")
    size: int = Field(ge=0, description="Bytes.")
    media: str = Field(description="image, video or colors.")
    width: int | None = Field(default=None, description="Width in pixels, of an image.")
    height: int | None = Field(default=None, description="Height in pixels, of an image.")
    colors: tuple[tuple[str, str, str], ...] = Field(
        default=(), description="A color profile's (section, key, #RRGGBB) entries.")
    warnings: tuple[str, ...] = Field(default=(), description="What works only in part.")


class CustomContentRejected(CustomContentEvent):
    """The file cannot be used; the reason says why in plain words."""

    routing_key: ClassVar[str] = "custom.rejected"
    event_type: Literal["custom.rejected"] = "custom.rejected"
    filename: str = Field(description="Name the user gave the file.")
    reason: str = Field(description="What is wrong with the file.")


class CustomContentPublished(CustomContentEvent):
    """The file is in the content folder's Custom folder, ready for Syncthing."""

    routing_key: ClassVar[str] = "custom.published"
    event_type: Literal["custom.published"] = "custom.published"
    content_path: str = Field(description="File, relative to the content root.")


class CustomContentDeleted(CustomContentEvent):
    """A tombstone: the file leaves the catalog and every rig's Custom folder."""

    routing_key: ClassVar[str] = "custom.deleted"
    event_type: Literal["custom.deleted"] = "custom.deleted"


class RigSelectionChanged(Event):
    """An admin chose which songs a rig (a Syncthing device) receives."""

    routing_key: ClassVar[str] = "rig.selection_changed"
    event_type: Literal["rig.selection_changed"] = "rig.selection_changed"
    device_id: str = Field(description="The rig's Syncthing device id.")
    name: str = Field(default="", description="The rig's name, as the admin calls it.")
    addresses: tuple[str, ...] = Field(default=(), description="tcp://HOST:PORT to dial it at.")
    mode: Literal["all", "search", "songs"] = Field(
        description="all songs, the songs a saved library search finds, or hand-picked songs.")
    search: dict[str, str] = Field(default_factory=dict,
                                   description="The library search's URL parameters.")
    song_ids: tuple[uuid.UUID, ...] = Field(default=(), description="The hand-picked songs.")


AnyEvent = Annotated[
    UploadReceived
    | UploadUnpacked
    | UploadFailed
    | UploadCompleted
    | SongGenerationRequested
    | SongFound
    | SongExtracted
    | SongAlreadyInLibrary
    | SongParsed
    | SongCataloged
    | SongPublished
    | SongFailed
    | SongEditRequested
    | SongEdited
    | SongDeleted
    | CustomContentUploaded
    | CustomContentValidated
    | CustomContentRejected
    | CustomContentPublished
    | CustomContentDeleted
    | RigSelectionChanged,
    Field(discriminator="event_type"),
]
any_event = TypeAdapter(AnyEvent)


def load_event(data: bytes | str | dict[str, Any]) -> Event:
    """Any recorded event, from JSON or a dict."""
    if isinstance(data, dict):
        return any_event.validate_python(data)
    return any_event.validate_json(data)
