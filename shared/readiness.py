"""Waiting at start for what a service needs (the broker, the database, the object store):
each is tried with backoff until it answers, with one log line per interval while it does not;
what is still awaited is kept for `/health`."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from functools import partial

import anyio
import structlog
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from shared.backoff import Backoff
from shared.storage import ObjectStore

log = structlog.get_logger(__name__)

Probe = Callable[[], Awaitable[object]]
"""Succeeds once its dependency serves; raises while it does not."""

PROBE_TIMEOUT_SECONDS = 10.0
LOG_EVERY_SECONDS = 30.0


class Readiness:
    """What a service still waits for, each with the latest reason."""

    def __init__(self) -> None:
        self.waiting: dict[str, str] = {}


async def wait_for(needs: dict[str, Probe], readiness: Readiness | None = None, *,
                   backoff: Backoff | None = None,
                   log_every_seconds: float = LOG_EVERY_SECONDS) -> None:
    """Return once every probe has succeeded; they are tried side by side, so `readiness`
    soon names only those that are down."""
    readiness = readiness or Readiness()
    readiness.waiting = dict.fromkeys(needs, "not tried yet")
    async with anyio.create_task_group() as group:
        for name, probe in needs.items():
            group.start_soon(_wait_for_one, name, probe, readiness, backoff or Backoff(),
                             log_every_seconds)


async def _wait_for_one(name: str, probe: Probe, readiness: Readiness, backoff: Backoff,
                        log_every_seconds: float) -> None:
    started = time.monotonic()
    attempt, logged_at = 0, None
    while True:
        try:
            with anyio.fail_after(PROBE_TIMEOUT_SECONDS):
                await probe()
        except Exception as error:
            attempt += 1
            reason = f"{type(error).__name__}: {error}"[:200]
            readiness.waiting[name] = reason
            now = time.monotonic()
            if logged_at is None or now - logged_at >= log_every_seconds:
                log.warning("dependency.waiting", dependency=name, reason=reason,
                            attempts=attempt, waited_seconds=round(now - started, 1))
                logged_at = now
            await anyio.sleep(backoff.delay(attempt))
            continue
        del readiness.waiting[name]
        if attempt:
            log.info("dependency.ready", dependency=name,
                     waited_seconds=round(time.monotonic() - started, 1))
        return


class NotReady(Exception):
    """A dependency answered, but is not ready for this service yet."""


def database_probe(sessions: sessionmaker[Session]) -> Probe:
    def select_one() -> None:
        with sessions() as session:
            session.execute(text("SELECT 1"))

    return partial(anyio.to_thread.run_sync, select_one, abandon_on_cancel=True)


def object_store_probe(store: ObjectStore, bucket: str) -> Probe:
    """The bucket this service reads exists (`chhub setup` creates it)."""
    def bucket_exists() -> None:
        if not store.bucket_exists(bucket):
            raise NotReady(f"the bucket {bucket} does not exist yet")

    return partial(anyio.to_thread.run_sync, bucket_exists, abandon_on_cancel=True)
