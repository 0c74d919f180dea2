"""artist folder by id: finding how an artist's folder is spelled reads one index entry, however
many songs the artist has

The lookup asks for any one other song in a folder of the same name. For an artist holding a
few percent of the library, the planner expected to meet one of its songs early in a scan of
the table, and scanned it; when that artist's songs were the newest (an import of a Songs
folder sorted by artist), the scan read the whole library for each of them. The index now also
holds the song's id, and the lookup takes the first song by id, which no plan but the index's
gives without reading every match.

Revision ID: 0026
Revises: 0025
"""
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_songs_artist_folder_first "
               "ON songs (lower(split_part(file_path, '/', 2)), id)")
    op.drop_index("ix_songs_artist_folder_lower", table_name="songs")


def downgrade() -> None:
    op.execute("CREATE INDEX ix_songs_artist_folder_lower "
               "ON songs (lower(split_part(file_path, '/', 2)))")
    op.drop_index("ix_songs_artist_folder_first", table_name="songs")
