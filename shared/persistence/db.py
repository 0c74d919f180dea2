"""Engines, sessions and schema migrations of the one database every service shares."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from shared import telemetry

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: str, pool_size: int = 5) -> Engine:
    """An engine whose pool lends the connection given back last (LIFO): a quiet service uses
    one or two connections over and over, and the others are not each kept warm (their
    buffers grown to the largest result they read) for nothing."""
    engine = create_engine(url, pool_size=pool_size, pool_pre_ping=True, pool_use_lifo=True,
                           future=True)
    if telemetry.recording():  # a span per statement, in the trace of the message or request
        from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

        SQLAlchemyInstrumentor().instrument(engine=engine, enable_commenter=False)
    return engine


def make_sessions(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on error."""
    with sessions.begin() as session:
        yield session


def create_database(url: str) -> bool:
    """Create the database named in `url` if it is missing; True when it was created."""
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            ).scalar()
            if not exists:
                connection.execute(text(f'CREATE DATABASE "{target.database}"'))
            return not exists
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    target = make_url(url)
    admin = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{target.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the Alembic migrations up to `revision`."""
    from alembic import command  # only migrations need alembic: services skip its memory

    command.upgrade(_alembic(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Undo the Alembic migrations after `revision`."""
    from alembic import command

    command.downgrade(_alembic(url), revision)


def _alembic(url: str):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
