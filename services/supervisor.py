"""Runs several services as child processes in one foreground tree and stops them together."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Sequence


def run_children(commands: dict[str, Sequence[str]], *, grace_seconds: float = 15.0,
                 started: dict[str, subprocess.Popen] | None = None) -> int:
    """Start every command; when one exits or on Ctrl-C/SIGTERM, stop the rest (and the
    `started` processes, last). The exit code of the tree."""
    children = {name: subprocess.Popen(list(command)) for name, command in commands.items()}
    children.update(started or {})
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = 0
    while not stopping:
        for name, child in children.items():
            if child.poll() is not None:
                print(f"chhub: {name} exited with code {child.returncode}; stopping",
                      file=sys.stderr)
                code = child.returncode or 1
                stopping = True
        time.sleep(0.2)
    _terminate(children.values(), grace_seconds)
    return code


def _terminate(children, grace_seconds: float) -> None:
    children = list(children)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
