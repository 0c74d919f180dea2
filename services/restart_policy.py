"""When to restart a crashed child process and when to give up: a pure rule over its start
and crash times, with no processes, clocks or logs in it."""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.backoff import Backoff


@dataclass(frozen=True)
class ChildHistory:
    """What the policy knows of one child: when it last started, and how many times in a row
    it crashed before running stably."""

    started_at: float
    crashes_in_a_row: int = 0


@dataclass(frozen=True)
class Restart:
    attempt: int
    delay_seconds: float


@dataclass(frozen=True)
class GiveUp:
    crashes: int
    stable_seconds: float


@dataclass(frozen=True)
class RestartPolicy:
    """Restart after 1 s, doubling up to 30 s. A run of `stable_seconds` starts the delays
    over; `max_crashes` crashes in a row, each before the child ran that long, mean it cannot
    run here: give up. (Counting runs rather than wall time keeps the rule the same on a
    machine where starting takes long.)"""

    backoff: Backoff = field(default_factory=Backoff)
    stable_seconds: float = 60.0
    max_crashes: int = 5

    def after_crash(self, history: ChildHistory,
                    now: float) -> tuple[Restart | GiveUp, ChildHistory]:
        """The decision for a child that just exited on its own, and its history after it."""
        ran_stably = now - history.started_at >= self.stable_seconds
        crashes = 1 if ran_stably else history.crashes_in_a_row + 1
        after = ChildHistory(history.started_at, crashes)
        if crashes >= self.max_crashes:
            return GiveUp(crashes, self.stable_seconds), after
        return Restart(crashes, self.backoff.delay(crashes)), after

    @staticmethod
    def started(history: ChildHistory, now: float) -> ChildHistory:
        return ChildHistory(now, history.crashes_in_a_row)
