"""One process at a time compiles librosa's numba functions into their shared on-disk cache.

numba numbers a function's cache entries per process: two processes compiling at once can each
write entry 1 for a different signature, and every later process then loads the wrong machine
code and crashes. The first analysis in each process therefore holds a machine-wide file lock;
later analyses in that process (everything already compiled or loaded) run freely.
"""

from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_PATH = Path(tempfile.gettempdir()) / "chhub-numba-cache.lock"
_state = {"warm": False}


@contextmanager
def first_use_serialised(lock_path: Path = LOCK_PATH) -> Iterator[None]:
    """Hold the machine-wide compile lock around this process's first successful analysis."""
    if _state["warm"]:
        yield
        return
    with lock_path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    _state["warm"] = True
