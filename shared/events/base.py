"""What every event is: a frozen model whose class names its type, with a deterministic id.

A concrete event names its type once, in its class statement
(`class SongParsed(SongEvent, event_type="song.parsed")`). That name is its `event_type` field
(which tells the events apart when they are read back), the routing key it is published with,
and the first part of its id. Each family of events (about an upload, about a song) builds its
events from the subject they are about (`about`) or from the event they follow (`after`), so
the ids and the header fields are written in one place.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 2
_NAMESPACE = uuid.UUID("4f8e2a57-6a0e-4d53-9c51-2b1f0f3c9a10")
_EVENT_TYPE = "What happened; also the routing key the event is published with."


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

    event_type: str = Field(description=_EVENT_TYPE)
    event_id: uuid.UUID = Field(description="Deterministic id: the same step yields the same id.")
    upload_id: uuid.UUID | None = Field(
        default=None, description="Correlation id: the upload this event belongs to."
    )
    occurred_at: datetime = Field(default_factory=_now, description="When the event happened.")
    schema_version: int = Field(default=SCHEMA_VERSION, description="Event schema version.")

    def __init_subclass__(cls, event_type: str | None = None, **kwargs: Any) -> None:
        # Runs before pydantic collects the fields, so the narrowed `event_type` is a field.
        super().__init_subclass__(**kwargs)
        if event_type is not None:
            cls.routing_key = event_type
            cls.__annotations__["event_type"] = Literal[event_type]
            cls.event_type = Field(default=event_type, description=_EVENT_TYPE)

    @classmethod
    def id_for(cls, subject: uuid.UUID | str, revision: int = 0, *extra: object) -> uuid.UUID:
        """The id of this type's event about `subject` at `revision`; `extra` tells apart
        several events of this type about the same revision."""
        return event_id(cls.routing_key, subject, revision, *extra)


class UploadEvent(Event):
    """An event about an upload as a whole: one of each type per upload."""

    @classmethod
    def about(cls, upload_id: uuid.UUID, **fields: Any) -> Self:
        """This event about the upload `upload_id`."""
        return cls(event_id=cls.id_for(upload_id), upload_id=upload_id, **fields)

    @classmethod
    def after(cls, previous: Event, **fields: Any) -> Self:
        """This event about the upload `previous` belongs to."""
        if previous.upload_id is None:
            raise ValueError(f"{type(previous).__name__} belongs to no upload")
        return cls.about(previous.upload_id, **fields)


class SongEvent(Event):
    """An event about one revision of a song."""

    song_id: uuid.UUID = Field(description="The song's id, stable for its whole life.")
    revision: int = Field(default=1, ge=1, description="The song's revision; grows on each change.")

    @classmethod
    def about(cls, song_id: uuid.UUID, revision: int, *distinct: object,
              upload_id: uuid.UUID | None = None, **fields: Any) -> Self:
        """This event about `revision` of `song_id`; `distinct` (a parser version, a stage...)
        tells it apart from other events of its type about the same revision."""
        return cls(event_id=cls.id_for(song_id, revision, *distinct), upload_id=upload_id,
                   song_id=song_id, revision=revision, **fields)

    @classmethod
    def after(cls, previous: SongEvent, *distinct: object, revision: int | None = None,
              **fields: Any) -> Self:
        """This event about the song (and upload) of `previous`, at its revision unless
        `revision` says another."""
        return cls.about(previous.song_id, previous.revision if revision is None else revision,
                         *distinct, upload_id=previous.upload_id, **fields)
