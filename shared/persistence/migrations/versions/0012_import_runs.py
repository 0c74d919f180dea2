"""import runs: each upload names the import run it belongs to and how many songs that run
sends, so the home page shows an import as one; uploads found by age, and the unfinished
ones, through indexes

Revision ID: 0012
Revises: 0011
"""
import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None
UNFINISHED = "state IN ('receiving', 'received', 'processing')"


def upgrade() -> None:
    op.add_column("uploads", sa.Column("import_run", sa.String(32), nullable=True))
    op.add_column("uploads", sa.Column("import_songs", sa.Integer(), nullable=True))
    op.create_index("ix_uploads_created_at", "uploads", ["created_at"])
    op.create_index("ix_uploads_import_run", "uploads", ["import_run"],
                    postgresql_where=sa.text("import_run IS NOT NULL"))
    op.create_index("ix_uploads_unfinished", "uploads", ["created_at"],
                    postgresql_where=sa.text(UNFINISHED))


def downgrade() -> None:
    op.drop_index("ix_uploads_unfinished", table_name="uploads")
    op.drop_index("ix_uploads_import_run", table_name="uploads")
    op.drop_index("ix_uploads_created_at", table_name="uploads")
    op.drop_column("uploads", "import_songs")
    op.drop_column("uploads", "import_run")
