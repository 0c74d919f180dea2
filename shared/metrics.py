"""Prometheus metrics of every service, and each process's own `/metrics` endpoint.

Names are the contract with infra/prometheus (alerts) and infra/grafana (dashboards); the
e2e tests check that every name those files use is served here. Every service, the gateway
too, serves the registry on a metrics port of its own, apart from any public listener.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import structlog
from faststream import BaseMiddleware
from prometheus_client import REGISTRY, Counter, Gauge, Histogram, start_http_server

from shared.events import SongFailed, UploadFailed

log = structlog.get_logger(__name__)

DEFAULT_PORTS = {"gateway": 9100, "ingest": 9101, "catalog": 9102, "sync": 9103,
                 "search": 9104}
UPLOAD_OUTCOMES = ("completed", "completed_with_errors", "failed")

CONSUMED = Counter("chhub_messages_consumed_total", "Messages a stage finished handling.",
                   ["stage"])
FAILED = Counter("chhub_messages_failed_total",
                 "Messages whose handling raised: permanent (bad input) or transient (retried).",
                 ["stage", "kind"])
PUBLISHED = Counter("chhub_messages_published_total", "Events published, by stage and event.",
                    ["stage", "event"])
DEAD_LETTERED = Counter("chhub_messages_dead_lettered_total",
                        "Messages given up on and moved to the stage's dead-letter queue.",
                        ["stage"])
STAGE_SECONDS = Histogram("chhub_stage_duration_seconds", "Time a stage takes per message.",
                          ["stage"], buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10,
                                              30, 60, 120, 300))
SEARCH_SECONDS = Histogram("chhub_search_duration_seconds",
                           "Time the search service takes to find one search's matches.",
                           buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1))
SEARCH_INDEX_SONGS = Gauge("chhub_search_index_songs", "Songs in the search service's index.")
SONG_FAILURES = Counter("chhub_song_failures_total", "Songs that failed, by stage and reason.",
                        ["stage", "reason"])
UPLOADS = Counter("chhub_uploads_total", "Uploads that reached an end, by outcome.",
                  ["outcome"])
UPLOAD_SECONDS = Histogram("chhub_upload_duration_seconds",
                           "From an upload's arrival to its last song published (or failed).",
                           ["outcome"], buckets=(.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800,
                                                 3600, 7200))
BYTES = Counter("chhub_bytes_total",
                "Bytes received by the gateway (direction=received) and unpacked from archives "
                "by ingest (direction=extracted).", ["direction"])
GC_FREED = Counter("chhub_gc_freed_objects_total",
                   "Objects of the songs bucket the blob collector deleted: file blobs "
                   "(kind=blob) and manifests of deleted or replaced revisions (kind=manifest).",
                   ["kind"])
GC_FREED_BYTES = Counter("chhub_gc_freed_bytes_total",
                         "Bytes of the songs bucket the blob collector freed.")
GC_LAST_RUN = Gauge("chhub_gc_last_run_timestamp_seconds",
                    "When the blob collector last finished a run (Unix time).")
STAGING_WAITING = Gauge("chhub_staging_waiting_uploads",
                        "Uploads whose unpacking waits for room in this host's staging folder.")
GROUP_COMMIT_CHANGES = Histogram(
    "chhub_group_commit_changes",
    "Changes written in one transaction by a group-commit writer (events per commit).",
    ["writer"], buckets=(1, 2, 4, 8, 16, 32, 64, 128))


def serve_metrics(host: str, port: int, attempts: int = 50) -> int:
    """Serve `/metrics` on `port`, or on the next free port when it is taken (several copies
    of a service on one host); the port used."""
    for candidate in range(port, port + attempts):
        try:
            start_http_server(candidate, addr=host, registry=REGISTRY)
        except OSError:
            continue
        if candidate != port:
            log.warning("metrics.port_taken", wanted=port, port=candidate)
        log.info("metrics.serving", host=host, port=candidate)
        return candidate
    raise OSError(f"no free metrics port in {port}..{port + attempts - 1}")


def measured_handler(stage: str, handler: Callable[[Any], Awaitable[Any]]):
    """`handler` counted, timed and its failures and outcome events recorded under `stage`."""
    from shared.messaging import PermanentError

    DEAD_LETTERED.labels(stage=stage)  # present (at 0) before the first one, for alerts
    for kind in ("permanent", "transient"):
        FAILED.labels(stage=stage, kind=kind)
    CONSUMED.labels(stage=stage)
    timer = STAGE_SECONDS.labels(stage=stage)

    async def run(event: Any) -> Any:
        if isinstance(event, SongFailed | UploadFailed):  # the progress stage sees them all
            SONG_FAILURES.labels(stage=event.stage, reason=reason_class(event.reason)).inc()
        started = time.perf_counter()
        try:
            outcome = await handler(event)
        except PermanentError:
            FAILED.labels(stage=stage, kind="permanent").inc()
            raise
        except Exception:
            FAILED.labels(stage=stage, kind="transient").inc()
            raise
        finally:
            timer.observe(time.perf_counter() - started)
            CONSUMED.labels(stage=stage).inc()
        return outcome

    return run


def reason_class(reason: str) -> str:
    """A short, low-cardinality label for a failure reason: its first clause, without the
    names, numbers and paths that make each one unique."""
    head = reason.split(":")[0].split(".")[0].strip()
    words = [word for word in head.split()[:6] if word.isalpha()]
    return " ".join(words)[:60] or "other"


def upload_ended(state: str, seconds: float | None) -> None:
    """Count an upload that reached its end state and how long it took."""
    UPLOADS.labels(outcome=state).inc()
    if seconds is not None:
        UPLOAD_SECONDS.labels(outcome=state).observe(max(seconds, 0.0))


def garbage_collected(blobs: int, manifests: int, size: int) -> None:
    """Count what one run of the blob collector freed, and that it ran now."""
    GC_FREED.labels(kind="blob").inc(blobs)
    GC_FREED.labels(kind="manifest").inc(manifests)
    GC_FREED_BYTES.inc(size)
    GC_LAST_RUN.set_to_current_time()


def expect_upload_outcomes() -> None:
    """Serve every outcome from the start (at 0), so rates and alerts have series."""
    for outcome in UPLOAD_OUTCOMES:
        UPLOADS.labels(outcome=outcome)
        UPLOAD_SECONDS.labels(outcome=outcome)


class PublishMetricsMiddleware(BaseMiddleware):
    """Counts what is published: events by the stage publishing them (the queue bound in the
    log context while a message is handled, else the service: the gateway, an outbox relay),
    and dead letters by the stage that gave up (their routing key)."""

    service = "unknown"

    async def publish_scope(self, call_next: Callable[[Any], Awaitable[Any]], cmd: Any) -> Any:
        result = await call_next(cmd)
        exchange = getattr(getattr(cmd, "exchange", None), "name", None)
        if exchange == "chhub.dead":
            DEAD_LETTERED.labels(stage=cmd.destination).inc()
        elif exchange == "chhub.events":
            stage = structlog.contextvars.get_contextvars().get("queue") or self.service
            PUBLISHED.labels(stage=stage, event=cmd.destination).inc()
        return result


def metrics_middlewares(service: str) -> tuple[Any, ...]:
    """The broker middlewares that count consuming and publishing."""
    from faststream.rabbit.prometheus import RabbitPrometheusMiddleware

    middleware = type("PublishMetrics", (PublishMetricsMiddleware,), {"service": service})
    return (middleware,
            RabbitPrometheusMiddleware(registry=REGISTRY, app_name=f"chhub-{service}"))
