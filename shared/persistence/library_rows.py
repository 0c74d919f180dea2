"""Library result rows read by id on connections of their own: one prepared statement and one
round trip per page, without an ORM session, a pool's liveness check or a closing rollback.

Consumes song ids (the page the search index chose); emits the same items as
`library_items.songs_by_id` (the same statement and the same item shape), in the order asked,
leaving out songs the catalog no longer holds. A connection the server dropped is replaced and
the read tried once more; a database that stays away raises SQLAlchemy's `OperationalError`,
as an ORM read would.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import msgspec
import psycopg2
import psycopg2.extras
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from shared.persistence.library_items import _BY_IDS, _item

STATEMENT = "library_songs_by_id"
APPLICATION_NAME = "chhub-library-rows"


def prepared_sql() -> str:
    """`PREPARE` for the songs-by-id statement: its constants written in, the ids as $1."""
    compiled = _BY_IDS.compile(dialect=postgresql.psycopg2.dialect())
    sql = compiled.string
    for name, value in compiled.params.items():
        if name != "ids":
            sql = sql.replace(f"%({name})s", repr(int(value)))
    return f"PREPARE {STATEMENT} (uuid[]) AS " + sql.replace("%(ids)s", "$1")


class SongRows:
    """Reads library items by id; keeps up to `keep` idle connections for the next reads."""

    def __init__(self, database_url: str, keep: int = 4) -> None:
        self.dsn = make_url(database_url).set(drivername="postgresql").render_as_string(
            hide_password=False)
        self.keep = keep
        self._idle: list[Any] = []
        self._lock = threading.Lock()
        self._prepare = prepared_sql()

    def read(self, song_ids: Sequence[str]) -> list[dict[str, Any]]:
        """Items of `song_ids` in that order; songs the catalog no longer holds are left out."""
        if not song_ids:
            return []
        for attempt in range(2):
            try:
                connection = self._take()
            except psycopg2.Error as error:
                raise OperationalError(STATEMENT, None, error) from error
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"EXECUTE {STATEMENT} (%s::uuid[])", (list(song_ids),))
                    rows = cursor.fetchall()
            except (psycopg2.OperationalError, psycopg2.InterfaceError) as error:
                connection.close()  # dropped by the server (restarted?): so were the
                self.close()  # idle ones, most likely; the next one is new
                if attempt:
                    raise OperationalError(STATEMENT, None, error) from error
                continue
            except BaseException:
                connection.close()
                raise
            self._give_back(connection)
            by_id = {str(row.id): _item(row, row) for row in rows}
            return [by_id[song_id] for song_id in song_ids if song_id in by_id]
        raise AssertionError("unreachable")

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _take(self) -> Any:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        connection = psycopg2.connect(self.dsn, application_name=APPLICATION_NAME,
                                      cursor_factory=psycopg2.extras.NamedTupleCursor)
        connection.autocommit = True  # reads only: no transaction left open between them
        # Each row's charts arrive as JSON: msgspec reads them several times faster.
        psycopg2.extras.register_default_json(conn_or_curs=connection,
                                              loads=msgspec.json.decode)
        with connection.cursor() as cursor:
            cursor.execute(self._prepare)
        return connection

    def _give_back(self, connection: Any) -> None:
        with self._lock:
            if len(self._idle) < self.keep:
                self._idle.append(connection)
                return
        connection.close()
