"""Delays that double after each failed attempt, up to a cap: the pure rule behind restarting a
crashed service and waiting for the broker, the database or the object store."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Backoff:
    first_seconds: float = 1.0
    cap_seconds: float = 30.0
    factor: float = 2.0

    def delay(self, attempt: int) -> float:
        """The wait before `attempt` (1 for the first retry): first, doubled each time, capped."""
        exponent = min(max(attempt, 1) - 1, 64)  # bounded, so a long outage cannot overflow
        return min(self.first_seconds * self.factor ** exponent, self.cap_seconds)
