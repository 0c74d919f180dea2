"""Events of a song's life: found in an upload, extracted, parsed, cataloged, published (or a
duplicate, or failed), edited and deleted."""

from __future__ import annotations

import uuid
from typing import Any, Literal, Self

from pydantic import Field

from shared.events.base import SongEvent
from shared.events.uploads import FoundSong, UploadOrigin, UploadReceived
from shared.manifest import Manifest, ManifestFile


class SongFound(SongEvent, event_type="song.found"):
    """A song folder was found in an unpacked upload and waits to be extracted."""

    folder: str = Field(description="Path of the song folder (or .sng file) inside the upload.")
    origin: UploadOrigin = Field(description="The upload's original, to unpack it again.")

    @classmethod
    def in_upload(cls, received: UploadReceived, song: FoundSong) -> Self:
        """The song found in the upload `received` announced; its id comes before any
        revision."""
        return cls(event_id=cls.id_for(song.song_id), upload_id=received.upload_id,
                   song_id=song.song_id, folder=song.folder, origin=received.origin)


class StoredRevisionEvent(SongEvent):
    """An event about a stored revision of a song. It may list the revision's files as its
    manifest does, so that whoever handles it need not read the manifest."""

    manifest_key: str = Field(description="Object key of this revision's manifest.")
    md5: str | None = Field(default=None, description="Folder hash (scan-chart md5).")
    files: tuple[ManifestFile, ...] | None = Field(
        default=None, description="The files as the manifest lists them (absent from earlier "
        "events: then the manifest is read).")

    def manifest(self) -> Manifest | None:
        """The manifest as the event carries it; None when it does not."""
        if self.files is None or self.md5 is None:
            return None
        return Manifest(song_id=self.song_id, revision=self.revision, md5=self.md5,
                        files=self.files)


class SongExtracted(StoredRevisionEvent, event_type="song.extracted"):
    """A song's files are stored by content and listed in the manifest of its revision."""

    md5: str = Field(description="Folder hash over every file's name and bytes (scan-chart md5).")
    file_count: int = Field(default=0, ge=0, description="Files in the song.")
    total_bytes: int = Field(default=0, ge=0, description="Bytes of all the song's files.")

    @classmethod
    def stored(cls, previous: SongEvent, manifest_key: str, manifest: Manifest,
               *distinct: object, **fields: Any) -> Self:
        """The revision `manifest` lists is stored, its manifest at `manifest_key`."""
        return cls.after(previous, *distinct, manifest_key=manifest_key, md5=manifest.md5,
                         file_count=len(manifest.files), total_bytes=manifest.total_bytes,
                         files=manifest.files, **fields)


class SongAlreadyInLibrary(SongEvent, event_type="song.duplicate"):
    """An uploaded song's content is already in the library; nothing new was stored."""

    existing_song_id: uuid.UUID = Field(description="The song in the library with this content.")
    md5: str = Field(description="The shared folder hash.")


class SongParsed(StoredRevisionEvent, event_type="song.parsed"):
    """A song's song.ini and chart were read."""

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


class SongCataloged(StoredRevisionEvent, event_type="song.cataloged"):
    """A song revision is in the catalog, with the folder it is published to."""

    content_path: str = Field(description="Folder, relative to the content root, to publish to.")
    previous_content_path: str | None = Field(
        default=None, description="Folder of the previous revision, when it moved."
    )


class SongPublished(SongEvent, event_type="song.published"):
    """A song revision is in the content folder, ready for Syncthing."""

    content_path: str = Field(description="Folder, relative to the content root.")


class SongFailed(SongEvent, event_type="song.failed"):
    """A song could not go further; the reason says why in plain words."""

    stage: str = Field(description="Stage that failed: extract, parse, catalog or publish.")
    reason: str = Field(description="What went wrong, in words a player understands.")


class SongEdited(SongEvent, event_type="song.edited"):
    """A song was changed; `revision` is the new revision."""

    manifest_key: str = Field(description="Manifest of the new revision.")
    changes: dict[str, str | None] = Field(default_factory=dict, description="Fields changed.")
    difficulties: Literal["generate", "remove"] | None = Field(
        default=None, description="Lower difficulties generated from Expert, or removed.")


class SongEditRequested(SongEvent, event_type="song.edit_requested"):
    """Someone asked to change a song; `revision` is the revision they edited."""

    manifest_key: str = Field(description="Manifest of the revision that was edited.")
    changes: dict[str, str | None] = Field(
        default_factory=dict, description="song.ini keys to set (None removes the key).")
    difficulties: Literal["generate", "remove"] | None = Field(
        default=None, description="Generate Hard, Medium and Easy for the parts charted on "
        "Expert only, or remove the ones generated before; None leaves the chart alone.")


class SongDeleted(SongEvent, event_type="song.deleted"):
    """A tombstone: the song leaves the catalog, the object store and the content folder."""

    content_path: str | None = Field(default=None, description="Folder it was published to.")
