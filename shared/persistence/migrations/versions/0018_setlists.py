"""setlists: named, ordered lists of songs, and a rig that receives one

`setlists` holds each list's name, owner and share token; `setlist_songs` each song's place
in it (a deleted song leaves every setlist with it). `rig_selections.setlist_id` names the
setlist a rig in mode "setlist" receives.

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "setlists",
        sa.Column("id", postgresql.UUID(as_uuid=True), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("share_token", sa.String(64), nullable=True, unique=True),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(),
                  nullable=False),
    )
    op.create_index("ix_setlists_owner", "setlists", ["owner"])
    op.create_table(
        "setlist_songs",
        sa.Column("setlist_id", postgresql.UUID(as_uuid=True),
                  sa.ForeignKey("setlists.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("song_id", postgresql.UUID(as_uuid=True),
                  sa.ForeignKey("songs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_index("ix_setlist_songs_song_id", "setlist_songs", ["song_id"])
    op.add_column("rig_selections",
                  sa.Column("setlist_id", postgresql.UUID(as_uuid=True), nullable=True))


def downgrade() -> None:
    op.drop_column("rig_selections", "setlist_id")
    op.drop_index("ix_setlist_songs_song_id", table_name="setlist_songs")
    op.drop_table("setlist_songs")
    op.drop_index("ix_setlists_owner", table_name="setlists")
    op.drop_table("setlists")
