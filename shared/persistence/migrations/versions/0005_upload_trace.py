"""upload trace: each upload's trace id (for the UI's link to its trace) and the trace context
of each outbox event (so the relay publishes it in the trace of the change it reports)

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("uploads", sa.Column("trace_id", sa.String(32), nullable=True))
    op.add_column("outbox", sa.Column("traceparent", sa.Text(), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "traceparent")
    op.drop_column("uploads", "trace_id")
