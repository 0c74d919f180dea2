"""The gateway's background work: relaying its outbox to RabbitMQ, and ending uploads whose
bytes stopped coming in (a request cut off, a gateway killed mid-upload) as failed."""

from __future__ import annotations

import asyncio
from contextlib import suppress

import anyio
import structlog

from services.gateway import upload_rows
from services.gateway.deps import Gateway

log = structlog.get_logger(__name__)


async def sweep_stale_uploads(gateway: Gateway) -> None:
    """Keep this gateway's live uploads fresh and fail the stale ones of every gateway, a few
    times per timeout."""
    settings = gateway.settings
    every = min(60.0, settings.receiving_timeout_seconds / 3)
    while True:
        try:
            await anyio.to_thread.run_sync(upload_rows.touch, gateway.sessions,
                                           set(gateway.live_uploads))
            ended = await anyio.to_thread.run_sync(lambda: upload_rows.fail_stale(
                gateway.sessions, timeout_seconds=settings.receiving_timeout_seconds,
                resumable_seconds=settings.resumable_expiry_hours * 3600))
            for upload_id in ended:
                log.warning("upload.stale_failed", upload_id=str(upload_id))
        except Exception as error:
            log.warning("upload.sweep_failed", error=upload_rows.describe(error))
        await asyncio.sleep(every)


class Background:
    """Tasks that run from the gateway's start until it stops."""

    def __init__(self, gateway: Gateway) -> None:
        self._gateway = gateway
        self._tasks: list[asyncio.Task] = []

    async def start(self) -> None:
        self._tasks = [asyncio.create_task(self._gateway.relay.run()),
                       asyncio.create_task(sweep_stale_uploads(self._gateway))]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
