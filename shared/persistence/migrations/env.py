"""Alembic environment: migrations run online against the configured database."""

from alembic import context
from sqlalchemy import create_engine

from shared.outbox import METADATA as OUTBOX_METADATA
from shared.persistence.tables import Base

config = context.config


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection,
                          target_metadata=[Base.metadata, OUTBOX_METADATA])
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations_online()
