"""upload generates difficulties: an upload may ask for Hard, Medium and Easy to be generated
from Expert for each of its songs once cataloged

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("uploads", sa.Column("generate_difficulties", sa.Boolean(), nullable=False,
                                       server_default=sa.false()))


def downgrade() -> None:
    op.drop_column("uploads", "generate_difficulties")
