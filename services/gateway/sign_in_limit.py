"""The sign-in throttle: failed sign-ins counted per account and address, and per account alone,
in the shared rate-limit store; it answers how long a sign-in must wait before it is tried.

Keyed on the account as well as the address, one person mistyping (or an attacker guessing)
does not lock out everyone behind the same proxy; counted per account whatever the address,
guessing one account's password from many addresses backs off too.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from litestar.stores.base import Store


@dataclass(frozen=True)
class Backoff:
    """After `free` failures in a row each further one doubles the wait, from `first_seconds`
    up to `most_seconds`; failures are forgotten after twice `most_seconds` without one."""

    free: int
    first_seconds: float
    most_seconds: float

    def wait(self, failures: int, last_failure: float, now: float) -> float:
        """Seconds still to wait before the next attempt (0: it may be tried now)."""
        if failures < self.free:
            return 0.0
        delay = min(self.first_seconds * 2 ** (failures - self.free), self.most_seconds)
        return max(0.0, last_failure + delay - now)


# One person at one address: a handful of tries, then a minute, doubling.
PER_ADDRESS = Backoff(free=5, first_seconds=60, most_seconds=900)
# One account from anywhere: more room (its owner may be on several devices), then backing off.
PER_ACCOUNT = Backoff(free=10, first_seconds=30, most_seconds=900)


class SignInLimit:
    """Failed sign-ins in `store`; every gateway sharing the store shares the counts. A store
    read then write is not atomic: simultaneous failures may count as one, never as more."""

    def __init__(self, store: Store, per_address: Backoff = PER_ADDRESS,
                 per_account: Backoff = PER_ACCOUNT) -> None:
        self.store = store
        self.rules = {"address": per_address, "account": per_account}

    async def wait(self, username: str, address: str | None) -> float:
        """Seconds before `username` may try again from `address` (0: now)."""
        now = time.time()
        waits = [rule.wait(*await self._read(key), now=now)
                 for key, rule in self._keys(username, address)]
        return max(waits)

    async def failed(self, username: str, address: str | None) -> None:
        now = time.time()
        for key, rule in self._keys(username, address):
            failures, _ = await self._read(key)
            await self.store.set(key, json.dumps([failures + 1, now]),
                                 expires_in=int(rule.most_seconds * 2))

    async def succeeded(self, username: str, address: str | None) -> None:
        """Forget this address's failures; the account's own count only fades with time, or
        someone guessing elsewhere would get fresh tries whenever its owner signs in."""
        key, _ = self._keys(username, address)[0]
        await self.store.delete(key)

    def _keys(self, username: str, address: str | None) -> list[tuple[str, Backoff]]:
        account = username.strip().lower()
        return [(f"sign-in:{address or 'unknown'}:{account}", self.rules["address"]),
                (f"sign-in:*:{account}", self.rules["account"])]

    async def _read(self, key: str) -> tuple[int, float]:
        raw = await self.store.get(key)
        if raw is None:
            return 0, 0.0
        failures, last = json.loads(raw)
        return int(failures), float(last)
