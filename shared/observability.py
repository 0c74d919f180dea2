"""The one call each service process makes at start for traces and metrics, and what the
composition roots ask of it: the broker's middlewares and each consumer's instrumentation."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shared import metrics, telemetry
from shared.settings import TelemetrySettings

_service = {"name": "unknown"}


def start_observability(settings: TelemetrySettings, service: str) -> int | None:
    """Configure tracing and serve `/metrics` on the metrics listener; its port, or None when
    telemetry is off."""
    _service["name"] = service
    telemetry.configure_tracing(settings, service)
    if not settings.telemetry_enabled or service not in metrics.DEFAULT_PORTS:
        return None
    port = settings.metrics_port or metrics.DEFAULT_PORTS[service]
    return metrics.serve_metrics(settings.metrics_host, port)


def broker_middlewares() -> tuple[Any, ...]:
    """Tracing first (outermost), then counting; nothing when telemetry is off."""
    if not telemetry.enabled():
        return ()
    return (*telemetry.tracing_middlewares(), *metrics.metrics_middlewares(_service["name"]))


def instrumented(stage: str, handler: Callable[[Any], Awaitable[Any]]):
    """`handler` in its stage's span, counted and timed (unchanged when telemetry is off)."""
    if not telemetry.enabled():
        return handler
    return telemetry.traced_handler(stage, metrics.measured_handler(stage, handler))


def count_bytes(direction: str, size: int) -> None:
    """Count bytes received (gateway) or extracted from archives (ingest)."""
    if telemetry.enabled():
        metrics.BYTES.labels(direction=direction).inc(size)


def count_extracted(tree: Path) -> None:
    """Count the bytes of every file an upload unpacked into `tree`."""
    if telemetry.enabled():
        count_bytes("extracted", sum(path.stat().st_size for path in tree.rglob("*")
                                     if path.is_file() and not path.is_symlink()))


def upload_ended(state: str, created_at: datetime | None) -> None:
    """Count an upload that reached its end and the time since it arrived."""
    if telemetry.enabled():
        seconds = (datetime.now(UTC) - created_at).total_seconds() if created_at else None
        metrics.upload_ended(state, seconds)


def garbage_collected(blobs: int, manifests: int, size: int) -> None:
    """Count what a run of the blob collector freed (ingest)."""
    if telemetry.enabled():
        metrics.garbage_collected(blobs, manifests, size)
