"""How many rows of some tables the current transaction has read, from PostgreSQL's own
counters: what a test of a cost that must not grow with the library measures."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session


def rows_read(session: Session, *tables: str) -> int:
    """Rows of `tables` this transaction has read so far: by sequential scans, and by index
    scans (each lookup of a row by its key is one; a bitmap scan's rows are not counted, so its
    lookups are). The counters include what earlier transactions on the same connection left
    unreported: measure the difference between two readings in one transaction."""
    return session.execute(text(
        "SELECT coalesce(sum(seq_tup_read + coalesce(idx_tup_fetch, 0) + coalesce(idx_scan, 0)),"
        " 0) FROM pg_stat_xact_user_tables WHERE relname = ANY(:tables)"),
        {"tables": list(tables)}).scalar()
