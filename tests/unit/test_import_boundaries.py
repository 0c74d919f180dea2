"""No service imports another service's modules and shared/ imports no service: read from every
module's own imports (`ast`), lazy imports inside functions included. Only the composition and
process roots at the top of services/ may import the services they start."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support.python_source import syntax_tree

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("ingest", "catalog", "sync", "gateway", "search", "importer", "backup")
ROOTS = {"services.cli", "services.run_all", "services.workers", "services.supervisor"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, relative ones made absolute."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(syntax_tree(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[:len(package) - node.level + 1] if node.level else []
            name = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found += [(node.lineno, f"{name}.{alias.name}") for alias in node.names]
    return found


def owner(module: str) -> str | None:
    """The service a dotted name belongs to, "shared", or None for anything else."""
    parts = module.split(".")
    if parts[0] == "shared":
        return "shared"
    if parts[0] == "services" and len(parts) > 1 and parts[1] in SERVICES:
        return parts[1]
    if parts[0] == "services" and len(parts) > 1:
        return "services"  # a module at the top of services/ (a root, or embedded S3)
    return None


def violations(files: list[Path]) -> list[str]:
    found = []
    for path in files:
        importer = module_name(path)
        if importer in ROOTS:
            continue
        mine = owner(importer)
        for line, name in imported(path):
            theirs = owner(name)
            if theirs is None or theirs == mine:
                continue
            allowed = theirs == "shared" or (theirs == "services" and mine != "shared"
                                             and name.split(".")[1] not in
                                             {r.split(".")[1] for r in ROOTS})
            if not allowed:
                found.append(f"{path.relative_to(ROOT)}:{line} ({mine}) imports {name}")
    return found


def python_files() -> list[Path]:
    return sorted(path for top in ("services", "shared") for path in (ROOT / top).rglob("*.py")
                  if "__pycache__" not in path.parts)


def test_no_service_imports_another_and_shared_imports_no_service():
    found = violations(python_files())
    assert not found, "imports across service boundaries:\n" + "\n".join(found)


def test_the_check_names_each_import_across_a_boundary(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    files = {
        "services/sync/app.py": "from services.catalog.db import transaction\n",
        "services/gateway/pages.py": "def f():\n    from services.ingest import staging\n",
        "services/ingest/consumers/a.py": "from ..staging import unpack\n",
        "shared/songs/x.py": "import services.gateway.app\n",
        "services/cli.py": "from services.gateway import app\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    found = violations(sorted(tmp_path.rglob("*.py")))
    assert found == [
        "services/gateway/pages.py:2 (gateway) imports services.ingest.staging",
        "services/sync/app.py:1 (sync) imports services.catalog.db.transaction",
        "shared/songs/x.py:1 (shared) imports services.gateway.app",
    ]
