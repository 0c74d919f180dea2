"""The supervisor over real child processes: a killed child comes back while the others keep
running, a child that keeps crashing stops everything, and Ctrl-C stops every child."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shared.supervision import read_status
from tests.support.stack import ROOT
from tests.support.supervised import CRASHER, SLEEPER


def supervise(status_file: Path, **programs: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.support.supervised", str(status_file),
         *(f"{name}={program}" for name, program in programs.items())],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(condition, timeout: float = 30.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def pids(status_file: Path) -> dict[str, int | None]:
    return {child.name: child.pid for child in read_status(status_file)}


def all_running(status_file: Path, names: set[str]) -> dict[str, int] | None:
    found = pids(status_file)
    return found if set(found) == names and all(found.values()) else None


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


@pytest.fixture
def status_file(tmp_path: Path) -> Path:
    return tmp_path / "supervisor.json"


def test_a_killed_child_is_restarted_and_the_others_keep_running(status_file):
    supervisor = supervise(status_file, a=SLEEPER, b=SLEEPER, c=SLEEPER)
    try:
        before = wait_for(lambda: all_running(status_file, {"a", "b", "c"}), what="children")
        os.kill(before["b"], signal.SIGKILL)
        after = wait_for(lambda: (p := all_running(status_file, {"a", "b", "c"}))
                         and p["b"] != before["b"] and p, what="b to come back")
        assert after["a"] == before["a"] and after["c"] == before["c"]
        restarts = {child.name: child.restarts for child in read_status(status_file)}
        assert restarts == {"a": 0, "b": 1, "c": 0}
        assert json.loads(status_file.read_text())["children"][1]["last_exit_code"] == -9
        assert supervisor.poll() is None
    finally:
        supervisor.send_signal(signal.SIGINT)
        _, stderr = supervisor.communicate(timeout=30)
    restarted = [json.loads(line) for line in stderr.splitlines()
                 if '"supervisor.child_exited"' in line]
    assert restarted == [{**restarted[0], "child": "b", "exit_code": -9, "attempt": 1,
                          "delay_seconds": 0.2}]


def test_a_child_that_keeps_crashing_stops_everything_with_an_error(status_file):
    supervisor = supervise(status_file, steady=SLEEPER, flaky=CRASHER)
    steady = wait_for(lambda: pids(status_file).get("steady"), what="the steady child")
    _, stderr = supervisor.communicate(timeout=60)
    assert supervisor.returncode == 1
    assert ("flaky crashed 5 times in a row, each within 60 s of starting (last exit code 3); "
            "giving up") in stderr
    assert wait_for(lambda: gone(steady), timeout=10, what="the steady child to stop")


def test_ctrl_c_stops_every_child_and_exits_cleanly(status_file):
    supervisor = supervise(status_file, a=SLEEPER, b=SLEEPER)
    running = wait_for(lambda: all_running(status_file, {"a", "b"}), what="children")
    supervisor.send_signal(signal.SIGINT)
    supervisor.communicate(timeout=30)
    assert supervisor.returncode == 0
    assert all(gone(pid) for pid in running.values())
    assert read_status(status_file) == []
