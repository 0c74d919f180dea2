"""What rigs receive beyond songs (migrations 0006 and 0007 onward): custom content (backgrounds,
color profiles, highways) and each rig's selection of songs. Import them through
shared.persistence.tables, which holds their Base."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from shared.persistence.tables import Base


class CustomContent(Base):
    """A background, color profile or highway and how far it got."""

    __tablename__ = "custom_content"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    filename: Mapped[str] = mapped_column(Text, nullable=False)
    state: Mapped[str] = mapped_column(String(16), nullable=False, default="received")
    reason: Mapped[str | None] = mapped_column(Text)
    warnings: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    media: Mapped[str | None] = mapped_column(String(16))
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False, default=dict)
    content_path: Mapped[str | None] = mapped_column(Text)
    original_bucket: Mapped[str | None] = mapped_column(Text)
    original_key: Mapped[str | None] = mapped_column(Text)
    original_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)


class RigSelection(Base):
    """Which songs a rig (a Syncthing device) receives; no row means all of them."""

    __tablename__ = "rig_selections"

    device_id: Mapped[str] = mapped_column(Text, primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False, default="")
    mode: Mapped[str] = mapped_column(String(16), nullable=False, default="all")
    search: Mapped[dict[str, str]] = mapped_column(JSONB, nullable=False, default=dict)
    song_ids: Mapped[list[uuid.UUID]] = mapped_column(ARRAY(UUID(as_uuid=True)), nullable=False,
                                                      default=list)
    versions: Mapped[str] = mapped_column(String(16), nullable=False, default="every",
                                          server_default="every")
    """Of each song's versions: "every", "newest" or "chosen" (migration 0017)."""
    chosen_versions: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(UUID(as_uuid=True)), nullable=False, default=list, server_default="{}")
    setlist_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    """The setlist whose songs the rig receives (mode "setlist"); migration 0018."""
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)
