"""outbox vacuumed often: the relay's read of its unrelayed events stays a few index entries

Each relayed event's row is updated once (`relayed_at`), which leaves its old version in the
index of unrelayed events until a vacuum. Autovacuum waits for a fifth of the table to be dead
rows, and the outbox keeps every event (the log a replay reads), so the wait grew with the
library: at 20,000 songs the relay's every read of what to publish next went through thousands
of dead entries (7 ms and 2,400 buffers a read, from 1.5 ms at 5,000). It is now vacuumed after
every 1,000 dead rows, whatever its size.

Revision ID: 0025
Revises: 0024
"""
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

DEAD_ROWS = 1000


def upgrade() -> None:
    op.execute("ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0, "
               f"autovacuum_vacuum_threshold = {DEAD_ROWS})")


def downgrade() -> None:
    op.execute("ALTER TABLE outbox RESET (autovacuum_vacuum_scale_factor, "
               "autovacuum_vacuum_threshold)")
