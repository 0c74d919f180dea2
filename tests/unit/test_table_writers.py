"""Each table has one writer, the module named for it in `shared.persistence`'s docstring: read
from the code of services/ and shared/ (insert/update/delete statements, ORM adds, raw SQL and
column assignments), so that a write added anywhere else fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import shared.persistence
from shared.outbox import OUTBOX, OUTBOX_POSITIONS
from shared.persistence.tables import Base
from tests.support.python_source import syntax_tree

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
TABLES = {mapper.class_.__name__: mapper.class_.__tablename__ for mapper in Base.registry.mappers}
TABLES["OUTBOX"] = OUTBOX.name
TABLES["OUTBOX_POSITIONS"] = OUTBOX_POSITIONS.name
COLUMNS = {name: {c.key for c in Base.registry._class_registry[name].__mapper__.column_attrs}
           for name in TABLES if not name.startswith("OUTBOX")}
_ROW = re.compile(r"^ {4}(\w+(?:, \w+)*)\s+(shared\.[\w.]+)", re.MULTILINE)
_SQL = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)", re.IGNORECASE)
_STATEMENTS = {"insert", "update", "delete"}
_ADDS = {"add", "add_all", "merge"}


def declared_writers(docstring: str) -> dict[str, str]:
    """table → module, from the map in the persistence package's docstring."""
    return {table: module for tables, module in _ROW.findall(docstring)
            for table in tables.split(", ")}


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def written_tables(source: str) -> set[str]:
    """The tables a module's code writes."""
    tree = syntax_tree(source)
    names = dict(TABLES)  # a local name → its table: the classes, and `X.__table__` aliases
    rows: dict[str, str] = {}  # a local name → the table of the new row made into it
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets = [t for target in node.targets
                       for t in (target.elts if isinstance(target, ast.Tuple) else [target])]
            values = node.value.elts if isinstance(node.value, ast.Tuple) else [node.value]
            for target, value in zip(targets, values, strict=False):
                table = _table_of(value, names)
                if isinstance(target, ast.Name) and table:
                    names[target.id] = table
                made = _table_of(value.func, names) if isinstance(value, ast.Call) else None
                if isinstance(target, ast.Name) and made:
                    rows[target.id] = made
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    used = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    written = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            called = _called_name(node.func)
            if called in _STATEMENTS:
                written.add(_table_of(node.args[0], names))
            elif called in _ADDS and isinstance(node.args[0], ast.Call):
                written.add(_table_of(node.args[0].func, names))
            elif called in _ADDS and isinstance(node.args[0], ast.Name):
                written.add(rows.get(node.args[0].id))
            elif called == "setattr":
                written |= _column_owners("", used)  # any column of a table it uses
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if id(node) not in docstrings:
                known = set(TABLES.values())
                written |= {t for t in _SQL.findall(node.value) if t in known}
        elif isinstance(node, ast.Assign | ast.AugAssign):
            for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id not in {"self", "cls"}):
                    written |= _column_owners(target.attr, used)
    return written - {None}


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _table_of(node: ast.expr, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Attribute) and node.attr == "__table__":
        node = node.value
    return names.get(node.id) if isinstance(node, ast.Name) else None


def _column_owners(column: str, used: set[str]) -> set[str]:
    """The tables, among the classes a module uses, with this column ("" for any column)."""
    return {TABLES[name] for name, columns in COLUMNS.items()
            if name in used and (not column or column in columns)}


def unexpected_writes(root: Path, writers: dict[str, str]) -> list[str]:
    found = []
    for path in sorted(p for top in ("services", "shared") for p in (root / top).rglob("*.py")):
        if "migrations" in path.parts or "__pycache__" in path.parts:
            continue
        module = module_name(path, root)
        for table in sorted(written_tables(path.read_text())):
            if writers.get(table) != module:
                found.append(f"{module} writes {table} (its writer: {writers.get(table)})")
    return found


def test_every_table_is_written_by_its_one_declared_writer_only():
    writers = declared_writers(shared.persistence.__doc__)
    assert set(writers) | {"search_words"} == set(TABLES.values())
    found = unexpected_writes(ROOT, writers)
    assert not found, "tables written outside their writer:\n" + "\n".join(found)


def test_the_check_sees_statements_adds_raw_sql_and_column_assignments(tmp_path):
    (tmp_path / "services" / "gateway").mkdir(parents=True)
    (tmp_path / "shared").mkdir()
    (tmp_path / "services" / "gateway" / "rows.py").write_text(
        "from shared.persistence.tables import ApiToken, Upload, User\n"
        "UPLOADS = Upload.__table__\n"
        "def a(session):\n"
        "    session.execute(update(UPLOADS).values(state='failed'))\n"
        "def b(session):\n"
        "    user = User(username='x')\n"
        "    session.add(user)\n"
        "def c(session, token):\n"
        "    row = session.get(ApiToken, token)\n"
        "    row.revoked_at = 1\n")
    (tmp_path / "shared" / "sql.py").write_text(
        '"""Nothing here does UPDATE songs in a docstring."""\n'
        'STATEMENT = "DELETE FROM rig_selections WHERE true"\n')
    writers = declared_writers(shared.persistence.__doc__)
    assert unexpected_writes(tmp_path, writers) == [
        "services.gateway.rows writes api_tokens (its writer: shared.persistence.api_tokens)",
        "services.gateway.rows writes uploads (its writer: shared.persistence.uploads)",
        "services.gateway.rows writes users (its writer: shared.persistence.users)",
        "shared.sql writes rig_selections (its writer: shared.persistence.rig_selections)",
    ]
