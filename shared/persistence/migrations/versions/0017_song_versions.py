"""song versions: each song belongs to a version group, the songs of one group being versions
of one song (same normalised artist and title, the same chart, or an admin's link); each
rig receives every version, the newest, or the one chosen for it

Songs already in the library are grouped here, oldest song first, by the rules the catalog
applied to each new song at this revision: a frozen copy of shared.songs.versions' title key,
so that this migration does the same whatever later code does.

Revision ID: 0017
Revises: 0016
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, UUID

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "song_versions",
        sa.Column("song_id", UUID(as_uuid=True),
                  sa.ForeignKey("songs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("group_id", UUID(as_uuid=True), nullable=False),
        sa.Column("title_key", sa.Text()),
        sa.Column("placed_by_admin", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.add_column("rig_selections", sa.Column("versions", sa.String(16), nullable=False,
                                              server_default="every"))
    op.add_column("rig_selections", sa.Column("chosen_versions", ARRAY(UUID(as_uuid=True)),
                                              nullable=False, server_default="{}"))
    op.create_index("ix_song_versions_group_id", "song_versions", ["group_id"])
    op.create_index("ix_song_versions_title_key", "song_versions", ["title_key"])
    songs = op.get_bind().execute(sa.text(
        "SELECT id, artist, title, chart_hash FROM songs ORDER BY created_at, id")).all()
    op.bulk_insert(sa.table("song_versions", sa.column("song_id", UUID(as_uuid=True)),
                            sa.column("group_id", UUID(as_uuid=True)),
                            sa.column("title_key", sa.Text())),
                   list(_grouped(songs)))


def _grouped(songs):
    """Each song with the group of the first song before it that shares its key or chart."""
    groups: dict[tuple[str, str], object] = {}
    for song in songs:
        key = title_key(song.artist, song.title)
        marks = [m for m in (("title", key), ("chart", song.chart_hash)) if m[1]]
        group = next((groups[m] for m in marks if m in groups), song.id)
        for mark in marks:
            groups.setdefault(mark, group)
        yield {"song_id": song.id, "group_id": group, "title_key": key}


def downgrade() -> None:
    op.drop_column("rig_selections", "chosen_versions")
    op.drop_column("rig_selections", "versions")
    op.drop_table("song_versions")


# The title key as it stood at this revision (shared.songs.versions).
_FEATURING = re.compile(r"\s*[(\[]?\s*\b(?:feat\.?|ft\.?|featuring)\s.*$", re.IGNORECASE)
_BRACKETED = re.compile(r"\s*[(\[{]([^()\[\]{}]*)[)\]}]\s*$")
_DASHED = re.compile(r"\s+[-\u2013\u2014]\s+([^-\u2013\u2014]+)$")
_RELEASE_WORDS = re.compile(
    r"^(?:(?:\d{4}\s+)?(?:digital(?:ly)?\s+)?remaster(?:ed)?(?:\s+version)?(?:\s+\d{4})?"
    r"|\d{4}|mono|stereo|radio\s+edit|(?:single|album|lp)\s+version|explicit|clean"
    r"|2x\s+(?:bass\s+pedal|kick|pedal)s?)$",
    re.IGNORECASE)
_APOSTROPHES = re.compile(r"['`\u2019\u00b4]")
_UNKNOWN = {"unknown artist", "unknown song", "unknown"}


def title_key(artist: str | None, title: str | None) -> str | None:
    """The key two versions of one song share, or None when artist or title is missing."""
    artist_words = _words(_FEATURING.sub("", artist or ""))
    if artist_words.startswith("the "):
        artist_words = artist_words[4:]
    title_words = _words(_without_release_qualifiers(title or ""))
    if not artist_words or not title_words or {artist_words, title_words} & _UNKNOWN:
        return None
    return f"{artist_words}\u241f{title_words}"


def _without_release_qualifiers(title: str) -> str:
    """`title` less its trailing release qualifiers and featured artists, one at a time."""
    while True:
        stripped = _FEATURING.sub("", title).strip()
        match = _BRACKETED.search(stripped) or _DASHED.search(stripped)
        if match and _RELEASE_WORDS.match(match.group(1).strip()):
            stripped = stripped[:match.start()].strip()
        if stripped == title or not stripped:
            return stripped or title
        title = stripped


def _words(text: str) -> str:
    """Lowercase words of `text` without accents or punctuation, one space apart."""
    text = _APOSTROPHES.sub("", text.replace("&", " and "))
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c if c.isalnum() else " " for c in decomposed
                      if not unicodedata.combining(c))
    return " ".join(letters.casefold().split())
