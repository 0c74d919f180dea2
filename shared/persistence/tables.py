"""The database's tables (SQLAlchemy 2): songs and their charts, version groups and tombstones,
uploads and their songs, API tokens, users, custom content, rig selections and setlists (the
outbox is
shared.outbox's)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Computed,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    false,
    func,
    literal_column,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


# What the library's search box matches (one trigram index over it); `||` keeps it immutable.
SEARCH_TEXT = ("title || ' ' || artist || ' ' || coalesce(album, '') || ' ' || "
               "coalesce(genre, '') || ' ' || coalesce(charter, '')")
# Its words, lowercased, split at spaces and punctuation (letters of any script stay).
SEARCH_WORDS = (f"array_remove(regexp_split_to_array(lower({SEARCH_TEXT}), "
                "'[[:space:][:punct:]]+'), '')")


class Song(Base):
    """One song of the library at its current revision."""

    __tablename__ = "songs"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    title: Mapped[str] = mapped_column(Text, nullable=False)
    artist: Mapped[str] = mapped_column(Text, nullable=False, default="")
    album: Mapped[str | None] = mapped_column(Text)
    genre: Mapped[str | None] = mapped_column(Text)
    year: Mapped[str | None] = mapped_column(Text)
    charter: Mapped[str | None] = mapped_column(Text)
    song_length_ms: Mapped[int | None] = mapped_column(Integer)
    file_path: Mapped[str] = mapped_column(Text, nullable=False, unique=True)
    metadata_: Mapped[dict[str, Any]] = mapped_column("metadata", JSONB, nullable=False,
                                                      default=dict)
    md5: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    chart_file: Mapped[str | None] = mapped_column(Text)
    revision: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    parser_version: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    manifest_key: Mapped[str] = mapped_column(Text, nullable=False)
    upload_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)

    # Library search (migration 0002): filled from the scan by shared.persistence.scan_columns.
    chart_hash: Mapped[str | None] = mapped_column(Text)
    drum_type: Mapped[str | None] = mapped_column(Text)
    instruments: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    has_lyrics: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_solos: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_taps: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_open_notes: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_video: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    has_issues: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    issue_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    max_nps: Mapped[float | None] = mapped_column(Double)
    effective_length_ms: Mapped[int | None] = mapped_column(Integer)
    album_art_file: Mapped[str | None] = mapped_column(Text)
    preview_start_ms: Mapped[int | None] = mapped_column(Integer)
    year_number: Mapped[int | None] = mapped_column(Integer)
    parts: Mapped[list[str]] = mapped_column(ARRAY(Text), nullable=False, default=list)
    """Its song_charts as "instrument:difficulty", so that a difficulty filter needs no join."""
    duplicate_chart: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                  server_default=false())
    """Another song has the same chart hash (kept by the triggers of migration 0010)."""
    duplicate_title: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                  server_default=false())
    """Another song has the same artist and title (ignoring case) with a different chart."""
    search_text: Mapped[str] = mapped_column(Text, Computed(SEARCH_TEXT, persisted=True))
    search_words: Mapped[list[str]] = mapped_column(ARRAY(Text),
                                                    Computed(SEARCH_WORDS, persisted=True))

    __table_args__ = (Index("ix_songs_file_path_lower", func.lower(file_path), unique=True),)


class SongChart(Base):
    """One playable part of a song (instrument and difficulty) with its note count."""

    __tablename__ = "song_charts"

    song_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("songs.id", ondelete="CASCADE"), primary_key=True
    )
    instrument: Mapped[str] = mapped_column(Text, primary_key=True)
    difficulty: Mapped[str] = mapped_column(Text, primary_key=True)
    note_count: Mapped[int] = mapped_column(Integer, nullable=False)
    max_nps: Mapped[float | None] = mapped_column(Double)
    ini_tier: Mapped[int | None] = mapped_column(Integer)


class SongVersion(Base):
    """Which version group a song belongs to (migration 0017): the songs of one group are
    versions of one song (shared.songs.versions says when)."""

    __tablename__ = "song_versions"

    song_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("songs.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    title_key: Mapped[str | None] = mapped_column(Text)
    song_added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    """When the song came into the library (its `created_at`): a title's oldest version is the
    first entry of `ix_song_versions_title_oldest` (migration 0023)."""
    placed_by_admin: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                  server_default=false())
    """An admin linked or split the song: cataloging it again leaves it in its group."""
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)

    __table_args__ = (Index("ix_song_versions_title_oldest", title_key, song_added_at, song_id),)


class SearchWord(Base):
    """Every word of the library's search texts, for finding the words a typo means; filled
    by a trigger on songs (migration 0009)."""

    __tablename__ = "search_words"

    word: Mapped[str] = mapped_column(Text, primary_key=True)


class SongTombstone(Base):
    """A deleted song: its id never comes back."""

    __tablename__ = "song_tombstones"

    song_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, nullable=False)
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)


class Upload(Base):
    """One upload and its progress; the gateway writes the row before it answers."""

    __tablename__ = "uploads"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    filename: Mapped[str] = mapped_column(Text, nullable=False)
    source: Mapped[str] = mapped_column(String(32), nullable=False, default="gateway")
    bucket: Mapped[str] = mapped_column(Text, nullable=False)
    key: Mapped[str] = mapped_column(Text, nullable=False)
    etag: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    is_folder: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Each song of the upload gets Hard, Medium and Easy generated once cataloged.
    generate_difficulties: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False,
                                                        server_default=false())
    state: Mapped[str] = mapped_column(String(32), nullable=False, default="receiving")
    error: Mapped[str | None] = mapped_column(Text)
    song_total: Mapped[int | None] = mapped_column(Integer)
    # Its songs at an end, and of those the failed ones, counted as each song ends.
    songs_ended: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    songs_failed: Mapped[int] = mapped_column(Integer, nullable=False, server_default="0")
    trace_id: Mapped[str | None] = mapped_column(String(32))
    # Set by `chhub import`: its run, and how many songs the run sends in all.
    import_run: Mapped[str | None] = mapped_column(String(32))
    import_songs: Mapped[int | None] = mapped_column(Integer)
    original_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_uploads_created_at", created_at),
                      Index("ix_uploads_import_run", import_run,
                            postgresql_where=import_run.isnot(None)),
                      Index("ix_uploads_unfinished", created_at,
                            postgresql_where=state.in_(("receiving", "received", "processing"))))


class UploadSong(Base):
    """One song found in an upload and how far it got."""

    __tablename__ = "upload_songs"

    upload_id: Mapped[uuid.UUID] = mapped_column(
        UUID(as_uuid=True), ForeignKey("uploads.id", ondelete="CASCADE"), primary_key=True
    )
    song_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    folder: Mapped[str | None] = mapped_column(Text)
    stage: Mapped[str] = mapped_column(String(32), nullable=False, default="found")
    # The stage before its last recorded event: how the upload counts songs as they end.
    previous_stage: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    existing_song_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)

    # Songs in folder order, a page at a time (0020); those ended lately, for the pace (0021).
    __table_args__ = (Index("ix_upload_songs_folder_order", upload_id,
                            func.coalesce(folder, literal_column("''")), song_id),
                      Index("ix_upload_songs_ended_lately", upload_id, updated_at,
                            postgresql_where=stage.in_(("published", "duplicate", "failed"))))


class ApiToken(Base):
    """An API token; only its sha256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True,
                                          default=uuid.uuid4)
    name: Mapped[str] = mapped_column(Text, nullable=False)
    token_sha256: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default="uploader")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class User(Base):
    """A person who signs in to the gateway; only an argon2 hash of the password is kept."""

    __tablename__ = "users"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True,
                                          default=uuid.uuid4)
    username: Mapped[str] = mapped_column(Text, nullable=False)
    password_hash: Mapped[str] = mapped_column(Text, nullable=False)
    role: Mapped[str] = mapped_column(String(16), nullable=False, default="viewer")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True),
                                                 server_default=func.now(), nullable=False)
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_users_username_lower", func.lower(username), unique=True),)


# The rigs' and the setlists' tables live in modules of their own, read through this one so
# that every table is on Base once this module is imported.
from shared.persistence.rig_tables import CustomContent, RigSelection  # noqa: E402, F401
from shared.persistence.setlist_tables import Setlist, SetlistSong  # noqa: E402, F401
