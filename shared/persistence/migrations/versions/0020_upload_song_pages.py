"""upload song pages: an upload's songs read a page at a time, in folder order

An upload's status lists one page of its songs, those after a given song in folder order. The
index holds that order for each upload, so a page reads its own rows whatever the upload holds.
Its columns do not include the stage, which changes several times per song: updates of the
stage stay heap-only.

Revision ID: 0020
Revises: 0019
"""
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_upload_songs_folder_order "
               "ON upload_songs (upload_id, coalesce(folder, ''), song_id)")


def downgrade() -> None:
    op.drop_index("ix_upload_songs_folder_order", table_name="upload_songs")
