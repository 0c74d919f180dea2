"""custom content originals: where each upload's original is kept, and when it was removed

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("custom_content", sa.Column("original_bucket", sa.Text()))
    op.add_column("custom_content", sa.Column("original_key", sa.Text()))
    op.add_column("custom_content",
                  sa.Column("original_deleted_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    op.drop_column("custom_content", "original_deleted_at")
    op.drop_column("custom_content", "original_key")
    op.drop_column("custom_content", "original_bucket")
