"""Keeps the services of `chhub run all` running: a child that crashes is restarted with
backoff while the others go on; a child that keeps crashing stops everything. Writes each
child's restarts to the status file (shared/supervision.py) and logs every restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import structlog

from services.restart_policy import ChildHistory, GiveUp, RestartPolicy
from shared.supervision import ChildStatus, write_status

log = structlog.get_logger(__name__)
TICK_SECONDS = 0.2


@dataclass
class Child:
    """One supervised process: how to start it and what happened to it so far."""

    name: str
    start: Callable[[], subprocess.Popen]
    process: subprocess.Popen | None = None
    history: ChildHistory = field(default_factory=lambda: ChildHistory(time.monotonic()))
    restarts: int = 0
    last_exit_code: int | None = None
    last_restart_at: str | None = None
    restart_due: float | None = None

    @classmethod
    def command(cls, name: str, command: Sequence[str]) -> Child:
        return cls(name, lambda: subprocess.Popen(list(command)))

    def status(self) -> ChildStatus:
        running = self.process is not None and self.process.poll() is None
        state = "running" if running else ("restarting" if self.restart_due else "stopped")
        return ChildStatus(self.name, state, self.process.pid if running else None,
                           self.restarts, self.last_exit_code, self.last_restart_at)


class Supervisor:
    def __init__(self, children: Sequence[Child], *, policy: RestartPolicy | None = None,
                 status_file: Path | None = None, grace_seconds: float = 15.0) -> None:
        self.children = list(children)
        self.policy = policy or RestartPolicy()
        self.status_file = status_file
        self.grace_seconds = grace_seconds
        self._stopping = False
        self._code = 0

    def run(self) -> int:
        """Start the children not yet running, keep them up until Ctrl-C or SIGTERM (exit code
        0) or until one gives up (1), then stop them all."""
        signal.signal(signal.SIGINT, self._stop)
        signal.signal(signal.SIGTERM, self._stop)
        try:
            for child in self.children:
                if child.process is None:
                    self._launch(child)
            self._write_status()
            while not self._stopping:
                self._tick(time.monotonic())
                time.sleep(TICK_SECONDS)
        finally:
            terminate([c.process for c in reversed(self.children) if c.process is not None],
                      self.grace_seconds)
            for child in self.children:
                child.restart_due = None
            self._write_status()
        return self._code

    def _stop(self, *_: object) -> None:
        self._stopping = True

    def _tick(self, now: float) -> None:
        for child in self.children:
            if self._stopping:
                return
            if child.restart_due is not None and now >= child.restart_due:
                child.restart_due = None
                child.restarts += 1
                child.last_restart_at = datetime.now(UTC).isoformat(timespec="seconds")
                self._launch(child)
                log.info("supervisor.restarted", child=child.name, pid=_pid(child),
                         restarts=child.restarts)
                self._write_status()
            elif child.restart_due is None and _exited(child):
                self._crashed(child, now)

    def _crashed(self, child: Child, now: float) -> None:
        code = child.process.returncode if child.process is not None else None
        child.last_exit_code = code
        decision, child.history = self.policy.after_crash(child.history, now)
        if isinstance(decision, GiveUp):
            log.error("supervisor.giving_up", child=child.name, exit_code=code,
                      crashes=decision.crashes, stable_seconds=decision.stable_seconds)
            print(f"chhub: {child.name} crashed {decision.crashes} times in a row, each within "
                  f"{decision.stable_seconds:g} s of starting (last exit code {code}); giving "
                  "up and stopping everything.", file=sys.stderr)
            self._code = 1
            self._stopping = True
            return
        log.warning("supervisor.child_exited", child=child.name, exit_code=code,
                    attempt=decision.attempt, delay_seconds=decision.delay_seconds)
        child.restart_due = now + decision.delay_seconds
        self._write_status()

    def _launch(self, child: Child) -> None:
        child.history = self.policy.started(child.history, time.monotonic())
        try:
            child.process = child.start()
        except Exception as error:  # a start that fails counts as a crash of the child
            log.error("supervisor.start_failed", child=child.name, error=str(error))
            child.process = None

    def _write_status(self) -> None:
        if self.status_file is not None:
            write_status(self.status_file, os.getpid(), [c.status() for c in self.children])


def _exited(child: Child) -> bool:
    return child.process is None or child.process.poll() is not None


def _pid(child: Child) -> int | None:
    return child.process.pid if child.process is not None else None


def terminate(processes: Sequence[subprocess.Popen], grace_seconds: float) -> None:
    """SIGTERM every process still running, then SIGKILL those not gone after the grace."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    for process in processes:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
