"""The restart rule: delays from 1 s doubling to a cap, started over by a stable run, and
giving up only on a child that keeps crashing soon after it starts."""

from __future__ import annotations

from services.restart_policy import ChildHistory, GiveUp, Restart, RestartPolicy
from shared.backoff import Backoff


def crash_loop(policy: RestartPolicy, crashes: int, run_seconds: float = 0.0):
    """Decisions for a child that runs `run_seconds` each time before crashing, restarted as
    told; the clock starts at 0."""
    history, now, decisions = ChildHistory(started_at=0.0), 0.0, []
    for _ in range(crashes):
        now += run_seconds
        decision, history = policy.after_crash(history, now)
        decisions.append(decision)
        if isinstance(decision, GiveUp):
            break
        now += decision.delay_seconds
        history = policy.started(history, now)
    return decisions


def test_the_backoff_doubles_from_one_second_up_to_its_cap():
    backoff = Backoff(first_seconds=1.0, cap_seconds=30.0)
    assert [backoff.delay(attempt) for attempt in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]
    assert backoff.delay(10_000) == 30


def test_a_crashing_child_is_restarted_after_growing_delays_then_given_up_on():
    decisions = crash_loop(RestartPolicy(), crashes=10)
    assert decisions[:4] == [Restart(1, 1.0), Restart(2, 2.0), Restart(3, 4.0), Restart(4, 8.0)]
    assert decisions[4] == GiveUp(crashes=5, stable_seconds=60.0)
    assert len(decisions) == 5


def test_a_child_slow_to_start_that_crashes_at_each_start_is_still_given_up_on():
    decisions = crash_loop(RestartPolicy(), crashes=10, run_seconds=25.0)
    assert decisions[-1] == GiveUp(crashes=5, stable_seconds=60.0)


def test_a_child_that_runs_stably_between_crashes_is_never_given_up_on():
    decisions = crash_loop(RestartPolicy(stable_seconds=60.0), crashes=50, run_seconds=61.0)
    assert decisions == [Restart(1, 1.0)] * 50


def test_a_stable_run_starts_the_delays_over():
    policy = RestartPolicy(stable_seconds=60.0)
    decision, history = policy.after_crash(ChildHistory(started_at=0.0), now=1.0)
    decision, history = policy.after_crash(policy.started(history, 2.0), now=3.0)
    assert decision == Restart(2, 2.0)
    decision, _ = policy.after_crash(policy.started(history, 5.0), now=5.0 + 61.0)
    assert decision == Restart(1, 1.0)
