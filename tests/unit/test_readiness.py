"""Waiting for dependencies at start: every one is tried until it answers, what is still down
is named, and the wait logs once per interval rather than once per attempt."""

from __future__ import annotations

import anyio
from structlog.testing import capture_logs

from shared.backoff import Backoff
from shared.readiness import Readiness, wait_for

QUICK = Backoff(first_seconds=0.01, cap_seconds=0.02)


class Flaky:
    """A dependency that refuses `failures` times, then answers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionRefusedError("nothing listens")


def test_each_dependency_is_tried_until_it_answers_with_one_log_line_per_interval():
    broker, database = Flaky(failures=12), Flaky(failures=0)
    with capture_logs() as logs:
        anyio.run(lambda: wait_for({"broker": broker, "database": database},
                                   backoff=QUICK, log_every_seconds=60.0))
    assert broker.calls == 13 and database.calls == 1
    events = [(line["event"], line["dependency"]) for line in logs]
    assert events == [("dependency.waiting", "broker"), ("dependency.ready", "broker")]
    assert "nothing listens" in logs[0]["reason"]


def test_readiness_names_what_is_still_down_while_waiting():
    readiness = Readiness()
    seen: list[dict[str, str]] = []

    async def main() -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(lambda: wait_for({"broker": Flaky(failures=1_000_000),
                                               "database": Flaky(failures=0)},
                                              readiness, backoff=QUICK))
            await anyio.sleep(0.2)
            seen.append(dict(readiness.waiting))
            group.cancel_scope.cancel()

    anyio.run(main)
    assert list(seen[0]) == ["broker"]
    assert "ConnectionRefusedError" in seen[0]["broker"]
