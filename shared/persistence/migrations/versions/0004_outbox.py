"""outbox: the catalog's events, written in the same transaction as its changes

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("event_id", sa.UUID(), nullable=False, unique=True),
        sa.Column("routing_key", sa.Text(), nullable=False),
        sa.Column("song_id", sa.UUID(), nullable=True),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.Column("relayed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_outbox_unrelayed", "outbox", ["id"],
                    postgresql_where=sa.text("relayed_at IS NULL"))
    op.create_index("ix_outbox_song", "outbox", ["song_id", "id"])


def downgrade() -> None:
    op.drop_table("outbox")
