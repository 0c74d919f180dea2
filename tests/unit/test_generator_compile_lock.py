"""The first analysis of each process holds a machine-wide lock, so two processes never write
numba's shared compile cache at once; later analyses in a process do not wait."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from services.ingest.generator import compile_lock

pytestmark = pytest.mark.unit

FIRST_USE = """
import sys, time
from pathlib import Path
from services.ingest.generator.compile_lock import first_use_serialised
with first_use_serialised(Path(sys.argv[1])):
    start = time.monotonic()
    time.sleep(0.4)
    print(start, time.monotonic())
"""


def test_two_processes_first_analyses_never_overlap(tmp_path: Path) -> None:
    lock = tmp_path / "numba.lock"
    repo = Path(__file__).resolve().parents[2]
    runs = [subprocess.Popen([sys.executable, "-c", FIRST_USE, str(lock)], cwd=repo,
                             stdout=subprocess.PIPE, text=True) for _ in range(2)]
    spans = sorted(tuple(map(float, run.communicate(timeout=60)[0].split())) for run in runs)
    (_, first_end), (second_start, _) = spans
    assert second_start >= first_end


def test_after_the_first_analysis_a_process_no_longer_takes_the_lock(tmp_path, monkeypatch):
    monkeypatch.setitem(compile_lock._state, "warm", False)
    lock = tmp_path / "numba.lock"
    with compile_lock.first_use_serialised(lock):
        pass
    lock.unlink()
    with compile_lock.first_use_serialised(lock):
        pass
    assert not lock.exists()
