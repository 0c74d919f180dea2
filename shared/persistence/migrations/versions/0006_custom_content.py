"""custom content: backgrounds, color profiles and highways, checked and published like songs

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "custom_content",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("filename", sa.Text(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, server_default="received"),
        sa.Column("reason", sa.Text()),
        sa.Column("warnings", ARRAY(sa.Text()), nullable=False, server_default="{}"),
        sa.Column("media", sa.String(16)),
        sa.Column("sha256", sa.String(64)),
        sa.Column("size", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("details", JSONB(), nullable=False, server_default="{}"),
        sa.Column("content_path", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.func.now()),
    )
    op.create_index("ix_custom_content_kind_created", "custom_content", ["kind", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_custom_content_kind_created", table_name="custom_content")
    op.drop_table("custom_content")
