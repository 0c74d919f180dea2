"""oldest version by index: the oldest song of a title or of a copied chart is an index's first
entry

Placing a song in its version group looks for the oldest other song with its title key, or
with its chart when that chart has copies. Both read every such song and sorted them, so a
title or chart held many times cost more with each copy. Each version row now keeps when its
song came into the library (`song_added_at`, the song's `created_at`), and both indexes hold
the songs of a key in that order.

Revision ID: 0023
Revises: 0022
"""
import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("song_versions",
                  sa.Column("song_added_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE song_versions SET song_added_at = songs.created_at FROM songs "
               "WHERE songs.id = song_versions.song_id")
    op.alter_column("song_versions", "song_added_at", nullable=False)
    op.drop_index("ix_song_versions_title_key", table_name="song_versions")
    op.create_index("ix_song_versions_title_oldest", "song_versions",
                    ["title_key", "song_added_at", "song_id"])
    op.drop_index("ix_songs_duplicate_chart", table_name="songs")
    op.create_index("ix_songs_duplicate_chart", "songs", ["chart_hash", "created_at", "id"],
                    postgresql_where=sa.text("duplicate_chart"))


def downgrade() -> None:
    op.drop_index("ix_songs_duplicate_chart", table_name="songs")
    op.create_index("ix_songs_duplicate_chart", "songs", ["chart_hash"],
                    postgresql_where=sa.text("duplicate_chart"))
    op.drop_index("ix_song_versions_title_oldest", table_name="song_versions")
    op.create_index("ix_song_versions_title_key", "song_versions", ["title_key"])
    op.drop_column("song_versions", "song_added_at")
