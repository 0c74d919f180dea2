"""The setlists' tables: a named, ordered list of songs and each song's place in it (migration
0018). Import them through shared.persistence.tables, which holds their Base."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from shared.persistence.tables import Base


class Setlist(Base):
    """A named, ordered list of songs, made by one person; readable by anyone who holds its
    share token (and may browse)."""

    __tablename__ = "setlists"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    owner: Mapped[str] = mapped_column(Text, nullable=False)
    share_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    """Grows on every change, so that each change is announced under an id of its own."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)

    __table_args__ = (Index("ix_setlists_owner", owner),)


class SetlistSong(Base):
    """A song's place in a setlist; the row goes when the song or the setlist does."""

    __tablename__ = "setlist_songs"

    setlist_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("setlists.id", ondelete="CASCADE"), primary_key=True)
    song_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("songs.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)

    __table_args__ = (Index("ix_setlist_songs_song_id", song_id),)
