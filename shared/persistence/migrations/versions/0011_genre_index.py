"""genre filter index: a genre chosen in the library reads its songs, not every song

Revision ID: 0011
Revises: 0010
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("CREATE INDEX ix_songs_genre_lower ON songs (lower(genre))")


def downgrade() -> None:
    op.drop_index("ix_songs_genre_lower", table_name="songs")
