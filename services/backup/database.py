"""The catalog database in a backup: a pg_dump of one exported snapshot, read while the hub
runs, and a pg_restore into an empty database."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool


class DatabaseError(RuntimeError):
    """pg_dump or pg_restore failed, is missing, or the target database is not empty."""


@contextmanager
def exported_snapshot(url: str) -> Iterator[tuple[str, Session]]:
    """A REPEATABLE READ transaction's snapshot id, for pg_dump to read the very same state,
    and a session inside that transaction; the snapshot lives until the block ends."""
    engine = create_engine(url, poolclass=NullPool, isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection, connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            with Session(bind=connection) as session:
                yield snapshot, session
    finally:
        engine.dispose()


def dump(url: str, snapshot: str, path: Path) -> None:
    """Write the database as of `snapshot` to `path` (pg_dump's custom format)."""
    _run("pg_dump", url, "--format=custom", "--no-owner", "--no-privileges",
         f"--snapshot={snapshot}", f"--file={path}")


def is_empty(url: str) -> bool:
    """True when the database holds no table of its own."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            return not connection.execute(text(
                "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN "
                "('pg_catalog', 'information_schema')")).scalar_one()
    finally:
        engine.dispose()


def load(url: str, path: Path) -> None:
    """Restore a dump into the (empty) database, all or nothing."""
    _run("pg_restore", url, "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", str(path))


def _run(program: str, url: str, *arguments: str) -> None:
    executable = shutil.which(program)
    if executable is None:
        raise DatabaseError(f"{program} is not installed (Debian: apt-get install "
                            "postgresql-client); it must match the server's major version")
    target = make_url(url)
    # libpq reads the password from the environment, so it never shows in the process list.
    env = dict(os.environ)
    if target.password is not None:
        env["PGPASSWORD"] = str(target.password)
    libpq = target.set(drivername="postgresql", password=None).render_as_string(
        hide_password=False)
    result = subprocess.run([executable, f"--dbname={libpq}", *arguments], env=env,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise DatabaseError(f"{program} failed: {result.stderr.strip()[-2000:]}")
