"""The sign-in backoff: free tries, then a wait that doubles with each failure, up to a cap."""

from __future__ import annotations

import pytest

from services.gateway.sign_in_limit import Backoff

pytestmark = pytest.mark.unit

RULE = Backoff(free=3, first_seconds=10, most_seconds=60)


def test_the_first_failures_cost_no_wait() -> None:
    assert [RULE.wait(failures, last_failure=100, now=100) for failures in range(3)] == [0] * 3


def test_each_failure_past_the_free_ones_doubles_the_wait_up_to_the_cap() -> None:
    assert [RULE.wait(failures, last_failure=100, now=100) for failures in range(3, 8)] == [
        10, 20, 40, 60, 60]


def test_the_wait_counts_from_the_last_failure() -> None:
    assert RULE.wait(4, last_failure=100, now=115) == 5
    assert RULE.wait(4, last_failure=100, now=130) == 0
