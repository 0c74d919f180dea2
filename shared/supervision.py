"""The supervisor's status file: each child of `chhub run all`, its pid and how often it was
restarted. The supervisor writes it; the gateway reads it for the home page and `/metrics`."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

STATUS_FILE = "supervisor.json"


@dataclass(frozen=True)
class ChildStatus:
    name: str
    state: str
    """running, restarting (waiting out its backoff), or stopped."""
    pid: int | None
    restarts: int
    last_exit_code: int | None = None
    last_restart_at: str | None = None
    """ISO time (UTC) of its latest restart."""


def status_path(data_dir: Path) -> Path:
    return data_dir / STATUS_FILE


def write_status(path: Path, supervisor_pid: int, children: list[ChildStatus]) -> None:
    """Replace the file at once, so a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{supervisor_pid}")
    partial.write_text(json.dumps({"supervisor_pid": supervisor_pid,
                                   "children": [asdict(child) for child in children]}))
    os.replace(partial, path)


def read_status(path: Path) -> list[ChildStatus]:
    """The children of the running supervisor; [] when there is none (no file, or the file of
    a supervisor that is gone)."""
    try:
        status = json.loads(path.read_text())
        if not _alive(int(status["supervisor_pid"])):
            return []
        return [ChildStatus(**child) for child in status["children"]]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True
