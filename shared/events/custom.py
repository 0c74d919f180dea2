"""Events of custom content (backgrounds, color profiles, highways) and of the songs each rig
receives."""

from __future__ import annotations

import uuid
from typing import Any, Literal, Self

from pydantic import Field

from shared.events.base import Event


class CustomContentEvent(Event):
    """An event about one background, color profile or highway."""

    content_id: uuid.UUID = Field(description="The custom content's id, stable for its life.")
    kind: Literal["background", "color", "highway"] = Field(
        description="Which kind: background, color (a color profile) or highway.")

    @classmethod
    def about(cls, content_id: uuid.UUID, kind: str, *distinct: object, **fields: Any) -> Self:
        """This event about `content_id`; `distinct` tells it apart from other events of its
        type about the same content."""
        return cls(event_id=cls.id_for(content_id, 0, *distinct), content_id=content_id,
                   kind=kind, **fields)

    @classmethod
    def after(cls, previous: CustomContentEvent, *distinct: object, **fields: Any) -> Self:
        """This event about the content of `previous`."""
        return cls.about(previous.content_id, previous.kind, *distinct, **fields)


class CustomContentUploaded(CustomContentEvent, event_type="custom.uploaded"):
    """A background, color profile or highway is in the uploads bucket, to be checked."""

    bucket: str = Field(description="Bucket holding the uploaded file.")
    key: str = Field(description="Object key of the uploaded file.")
    filename: str = Field(description="Name the user gave the file.")
    size: int = Field(default=0, ge=0, description="Bytes received.")


class CustomContentValidated(CustomContentEvent, event_type="custom.validated"):
    """The file is usable by Clone Hero and stored by content (sha256) in the songs bucket."""

    filename: str = Field(description="File name on rigs, in characters every system accepts.")
    sha256: str = Field(description="Hex sha256 of the bytes; the blob's key derives from it.")
    size: int = Field(ge=0, description="Bytes.")
    media: str = Field(description="image, video or colors.")
    width: int | None = Field(default=None, description="Width in pixels, of an image.")
    height: int | None = Field(default=None, description="Height in pixels, of an image.")
    colors: tuple[tuple[str, str, str], ...] = Field(
        default=(), description="A color profile's (section, key, #RRGGBB) entries.")
    warnings: tuple[str, ...] = Field(default=(), description="What works only in part.")


class CustomContentRejected(CustomContentEvent, event_type="custom.rejected"):
    """The file cannot be used; the reason says why in plain words."""

    filename: str = Field(description="Name the user gave the file.")
    reason: str = Field(description="What is wrong with the file.")


class CustomContentPublished(CustomContentEvent, event_type="custom.published"):
    """The file is in the content folder's Custom folder, ready for Syncthing."""

    content_path: str = Field(description="File, relative to the content root.")


class CustomContentDeleted(CustomContentEvent, event_type="custom.deleted"):
    """A tombstone: the file leaves the catalog and every rig's Custom folder."""


class RigSelectionChanged(Event, event_type="rig.selection_changed"):
    """An admin chose which songs a rig (a Syncthing device) receives."""

    device_id: str = Field(description="The rig's Syncthing device id.")
    name: str = Field(default="", description="The rig's name, as the admin calls it.")
    addresses: tuple[str, ...] = Field(default=(), description="tcp://HOST:PORT to dial it at.")
    mode: Literal["all", "search", "songs", "setlist"] = Field(
        description="all songs, the songs a saved library search finds, hand-picked songs, "
                    "or the songs of a setlist.")
    search: dict[str, str] = Field(default_factory=dict,
                                   description="The library search's URL parameters.")
    song_ids: tuple[uuid.UUID, ...] = Field(default=(), description="The hand-picked songs.")
    versions: Literal["every", "newest", "chosen"] = Field(
        default="every", description="Of each song's versions: every one, the newest, or the "
        "one chosen for the rig (the newest where none was chosen).")
    chosen_versions: tuple[uuid.UUID, ...] = Field(
        default=(), description="The versions chosen for the rig, one per song at most.")
    setlist_id: uuid.UUID | None = Field(default=None,
                                         description="The setlist whose songs it receives.")

    @classmethod
    def chosen(cls, device_id: str, **fields: Any) -> Self:
        """A new choice for the rig `device_id`: every choice is an event of its own."""
        return cls(event_id=cls.id_for(device_id, 0, uuid.uuid4()), device_id=device_id,
                   **fields)
