"""outbox publisher: the gateway keeps its events in the outbox too, and each service's relay
publishes only the rows it wrote

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("publisher", sa.Text(), nullable=False,
                                      server_default="catalog"))
    op.alter_column("outbox", "publisher", server_default=None)
    op.drop_index("ix_outbox_unrelayed", table_name="outbox")
    op.create_index("ix_outbox_unrelayed", "outbox", ["publisher", "id"],
                    postgresql_where=sa.text("relayed_at IS NULL"))


def downgrade() -> None:
    op.drop_index("ix_outbox_unrelayed", table_name="outbox")
    op.drop_column("outbox", "publisher")
    op.create_index("ix_outbox_unrelayed", "outbox", ["id"],
                    postgresql_where=sa.text("relayed_at IS NULL"))
