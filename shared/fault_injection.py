"""Faults the crash tests inject into a running service; no setting of the product reaches
them. `CHHUB_CRASH_BEFORE_PUBLISH=<queue>@<marker file>` in a service's environment, read here
and nowhere else, makes the consumer of that queue die once, as if killed, after committing its
effects and before publishing its events (see `messaging.subscribe`'s `before_publish`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path

CRASH_BEFORE_PUBLISH = "CHHUB_CRASH_BEFORE_PUBLISH"


def crash_before_publish(queue_name: str,
                         environ: Mapping[str, str] = os.environ) -> Callable[[], None] | None:
    """The fault for the consumer of `queue_name`, or None when no test asked for one."""
    target, _, marker = environ.get(CRASH_BEFORE_PUBLISH, "").partition("@")
    if target != queue_name or not marker:
        return None
    return partial(crash_once, Path(marker))


def crash_once(marker: Path) -> None:
    """Die at once, as if killed, unless `marker` says this already happened."""
    if not marker.exists():
        marker.write_text("crashed")
        os._exit(137)
