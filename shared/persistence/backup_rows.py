"""What the catalog holds in the object store (for a backup), and where the content folder shows
it (for a restore); reads only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.persistence.tables import CustomContent, Song


@dataclass(frozen=True)
class StoredSong:
    song_id: uuid.UUID
    revision: int
    manifest_key: str
    file_path: str


@dataclass(frozen=True)
class StoredCustom:
    content_id: uuid.UUID
    sha256: str
    content_path: str | None
    """Where the content folder shows it; None while it is not published."""


def stored_songs(session: Session) -> list[StoredSong]:
    """Every song of the library at its current revision, oldest first."""
    rows = session.execute(select(Song.id, Song.revision, Song.manifest_key, Song.file_path)
                           .order_by(Song.created_at, Song.id))
    return [StoredSong(*row) for row in rows]


def stored_custom(session: Session) -> list[StoredCustom]:
    """Every custom item whose file is stored and that is not deleted, oldest first."""
    rows = session.execute(
        select(CustomContent.id, CustomContent.sha256, CustomContent.content_path)
        .where(CustomContent.sha256.is_not(None), CustomContent.state != "deleted")
        .order_by(CustomContent.created_at, CustomContent.id))
    return [StoredCustom(*row) for row in rows]


def referenced(session: Session) -> tuple[list[StoredSong], list[StoredCustom]]:
    """The songs and custom items whose objects a backup of this catalog must hold."""
    return stored_songs(session), stored_custom(session)
