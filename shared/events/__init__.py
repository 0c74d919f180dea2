"""Every event of a song's and an upload's life, as frozen pydantic models.

Events carry ids, object keys and hashes, never file bytes. Schemas only grow where they can:
new fields are optional and unknown fields are ignored, and where a shape changed the model
still reads the earlier one, so events recorded by any earlier version still load (schema
version 2 moved `upload.received`'s original into `origin`). Each event id is derived from
its type and what the event is about (see `shared.events.base`), so a redelivered step
publishes the same event again rather than a second, different one.

    base      Event, UploadEvent, SongEvent: the header, the type, the id
    uploads   upload.received / unpacked / failed / completed, generate.requested
    songs     song.found / extracted / duplicate / parsed / cataloged / published / failed /
              edit_requested / edited / deleted
    custom    custom.uploaded / validated / rejected / published / deleted,
              rig.selection_changed
    setlists  setlist.changed
    failures  failure_at(stage): the one way a stage fails a song or an upload
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from shared.events.base import (
    SCHEMA_VERSION,
    Event,
    SongEvent,
    UploadEvent,
    event_id,
    song_id_for,
)
from shared.events.custom import (
    CustomContentDeleted,
    CustomContentEvent,
    CustomContentPublished,
    CustomContentRejected,
    CustomContentUploaded,
    CustomContentValidated,
    RigSelectionChanged,
)
from shared.events.failures import failure_at
from shared.events.setlists import SetlistChanged
from shared.events.songs import (
    SongAlreadyInLibrary,
    SongCataloged,
    SongDeleted,
    SongEdited,
    SongEditRequested,
    SongExtracted,
    SongFailed,
    SongFound,
    SongParsed,
    SongPublished,
)
from shared.events.uploads import (
    FoundSong,
    SongGenerationRequested,
    UploadCompleted,
    UploadFailed,
    UploadOrigin,
    UploadReceived,
    UploadUnpacked,
)

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
    | RigSelectionChanged
    | SetlistChanged,
    Field(discriminator="event_type"),
]
any_event = TypeAdapter(AnyEvent)


def load_event(data: bytes | str | dict[str, Any]) -> Event:
    """Any recorded event, from JSON or a dict."""
    if isinstance(data, dict):
        return any_event.validate_python(data)
    return any_event.validate_json(data)


__all__ = [
    "SCHEMA_VERSION", "AnyEvent", "CustomContentDeleted", "CustomContentEvent",
    "CustomContentPublished", "CustomContentRejected", "CustomContentUploaded",
    "CustomContentValidated", "Event", "FoundSong", "RigSelectionChanged",
    "SetlistChanged", "SongAlreadyInLibrary", "SongCataloged", "SongDeleted",
    "SongEditRequested", "SongEdited",
    "SongEvent", "SongExtracted", "SongFailed", "SongFound", "SongGenerationRequested",
    "SongParsed", "SongPublished", "UploadCompleted", "UploadEvent", "UploadFailed",
    "UploadOrigin", "UploadReceived", "UploadUnpacked", "any_event", "event_id", "failure_at",
    "load_event", "song_id_for",
]
