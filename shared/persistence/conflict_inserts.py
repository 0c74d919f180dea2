"""`INSERT … ON CONFLICT` statements written once as SQL text, for the writers that run one per
message. SQLAlchemy compiles a PostgreSQL `insert(...)` (with or without `on_conflict_*`) again
at every execution, since it has no cache key: that compiling was a good part of a consumer's
time per message. A text statement is compiled once and cached like any other; its parameters
keep their columns' types (JSONB, UUID), and a list of rows is sent as one executemany."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy import Table, TextClause, bindparam, text
from sqlalchemy.orm import Mapper


def insert_new(table: Table, columns: Sequence[str], *, conflict: Sequence[str] = (),
               update: Sequence[str] = (), also_set: Mapping[str, str] | None = None,
               returning: str | None = None) -> TextClause:
    """INSERT of `columns` (each a parameter of its column's name) that skips a row whose
    `conflict` columns (any unique index, when empty) are taken already, or with `update`
    sets those columns from the new row, and `also_set` (column → SQL expression) too."""
    names = ", ".join(_quoted(column) for column in columns)
    values = ", ".join(f":{column}" for column in columns)
    target = f" ({', '.join(_quoted(column) for column in conflict)})" if conflict else ""
    assignments = [f"{_quoted(column)} = excluded.{_quoted(column)}" for column in update]
    assignments += [f"{_quoted(column)} = {expression}"
                    for column, expression in (also_set or {}).items()]
    action = f"DO UPDATE SET {', '.join(assignments)}" if assignments else "DO NOTHING"
    sql = f"INSERT INTO {_quoted(table.name)} ({names}) VALUES ({values}) " \
          f"ON CONFLICT{target} {action}"
    if returning:
        sql += f" RETURNING {_quoted(returning)}"
    return text(sql).bindparams(*(bindparam(column, type_=table.c[column].type)
                                  for column in columns))


def column_names(mapper: Mapper, values: Mapping[str, object]) -> dict[str, object]:
    """`values` keyed by an ORM class's attribute names, keyed by their columns' names."""
    return {mapper.attrs[attribute].columns[0].name: value
            for attribute, value in values.items()}


def _quoted(name: str) -> str:
    return f'"{name}"'
