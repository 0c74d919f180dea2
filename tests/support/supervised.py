"""Runs the supervisor over small Python child programs, as `chhub run all` runs it over the
services: `python -m tests.support.supervised STATUS_FILE NAME=PROGRAM ...`."""

from __future__ import annotations

import sys
from pathlib import Path

from services.restart_policy import RestartPolicy
from services.supervisor import Child, Supervisor
from shared.backoff import Backoff
from shared.logs import configure_logging

SLEEPER = "import time; time.sleep(3600)"
CRASHER = "import sys, time; time.sleep(0.2); sys.exit(3)"
# Quick, so a crash loop is seen within seconds; what counts as one is the product's rule.
POLICY = RestartPolicy(backoff=Backoff(first_seconds=0.2, cap_seconds=1.0))


def main(status_file: str, *programs: str) -> int:
    configure_logging(service="all", fmt="json")
    children = [Child.command(name, [sys.executable, "-c", program])
                for name, _, program in (p.partition("=") for p in programs)]
    return Supervisor(children, policy=POLICY, status_file=Path(status_file),
                      grace_seconds=5).run()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
