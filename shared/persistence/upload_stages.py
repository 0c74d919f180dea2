"""The stages an upload's songs go through, and how far along each is: pure, shared by the
`uploads` writer and the reads that show uploads in progress."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from shared.events import (
    Event,
    SongAlreadyInLibrary,
    SongCataloged,
    SongExtracted,
    SongFailed,
    SongFound,
    SongParsed,
    SongPublished,
)

# A failed song can still end published: its dead-lettered message retried after a fix.
STAGE_RANK = {"found": 0, "extracted": 1, "parsed": 2, "cataloged": 3,
              "failed": 9, "published": 10, "duplicate": 10}
END_STAGES = frozenset({"published", "duplicate", "failed"})
NO_SONG_ADDED = "No song of this upload could be added."

SONG_STAGES: dict[type[Event], str] = {
    SongFound: "found",
    SongExtracted: "extracted",
    SongParsed: "parsed",
    SongCataloged: "cataloged",
    SongPublished: "published",
    SongAlreadyInLibrary: "duplicate",
    SongFailed: "failed",
}


@dataclass(frozen=True)
class UploadEnded:
    upload_id: uuid.UUID
    succeeded: bool
    state: str = "completed"
    created_at: datetime | None = None
