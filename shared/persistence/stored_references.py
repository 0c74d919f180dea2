"""What the catalog still refers to in the songs bucket, read in one consistent snapshot for the
blob collector: the songs, their tombstones, the songs of uploads still under way or whose
original is still kept, and custom content stored by content."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from shared.persistence.tables import CustomContent, Song, SongTombstone, Upload, UploadSong

UPLOAD_END_STATES = ("completed", "completed_with_errors", "failed")


@dataclass(frozen=True)
class CatalogReferences:
    live: Mapping[uuid.UUID, tuple[int, str]] = field(default_factory=dict)
    """Each song in the catalog: its cataloged revision and that revision's manifest key."""
    tombstoned: frozenset[uuid.UUID] = frozenset()
    """Deleted songs; their ids never come back."""
    in_flight: frozenset[uuid.UUID] = frozenset()
    """Songs of uploads that have not ended yet."""
    retained: frozenset[uuid.UUID] = frozenset()
    """Songs of ended uploads whose original is still kept (retention, or kept on failure)."""
    custom_blobs: frozenset[str] = frozenset()
    """sha256 of each custom content file that is not deleted."""


def read_references(sessions: sessionmaker[Session]) -> CatalogReferences:
    with sessions() as session:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        live = {song_id: (revision, key) for song_id, revision, key in session.execute(
            select(Song.id, Song.revision, Song.manifest_key))}
        tombstoned = frozenset(session.execute(select(SongTombstone.song_id)).scalars())
        held = session.execute(
            select(UploadSong.song_id, Upload.state.in_(UPLOAD_END_STATES))
            .join(Upload, Upload.id == UploadSong.upload_id)
            .where(Upload.state.not_in(UPLOAD_END_STATES) | Upload.original_deleted_at.is_(None))
        ).all()
        custom = frozenset(session.execute(
            select(CustomContent.sha256).where(CustomContent.sha256.is_not(None),
                                               CustomContent.state != "deleted")).scalars())
    return CatalogReferences(
        live=live, tombstoned=tombstoned,
        in_flight=frozenset(song_id for song_id, ended in held if not ended),
        retained=frozenset(song_id for song_id, ended in held if ended),
        custom_blobs=custom)
