"""The services' connection pool on the real PostgreSQL: it lends the connection given back
last, so a quiet service keeps using the same one or two."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from shared.persistence.db import make_engine

pytestmark = pytest.mark.integration


def backend_of(connection) -> int:
    return connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_the_connection_given_back_last_is_lent_next(database_url):
    engine = make_engine(database_url, pool_size=2)
    try:
        first, second = engine.connect(), engine.connect()
        first_backend, second_backend = backend_of(first), backend_of(second)
        first.close()
        second.close()
        with engine.connect() as again:
            assert backend_of(again) == second_backend != first_backend
    finally:
        engine.dispose()
