"""artist folder index: a new song finds the spelling of its artist's folder without reading
every song

Cataloging a song looks for a song already in an artist folder of the same name in another
case (to reuse its spelling); without an index on the folder name that read every song, so
each song cost more than the one before.

Revision ID: 0014
Revises: 0013
"""
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_songs_artist_folder_lower "
               "ON songs (lower(split_part(file_path, '/', 2)))")


def downgrade() -> None:
    op.drop_index("ix_songs_artist_folder_lower", table_name="songs")
