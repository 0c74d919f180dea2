"""The gateway's traces and metrics: a span per request (OpenTelemetryPlugin) and Prometheus
request metrics per route, counted here and served with every other metric of the process on
its internal metrics listener (`metrics_host:metrics_port`), never on the public port."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared import telemetry


@dataclass(frozen=True)
class HttpObservability:
    plugins: list[Any] = field(default_factory=list)
    middleware: list[Any] = field(default_factory=list)


def http_observability() -> HttpObservability:
    """What the Litestar app needs for traces and metrics; nothing when telemetry is off."""
    if not telemetry.enabled():
        return HttpObservability()
    from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
    from litestar.plugins.prometheus import PrometheusConfig

    # Receive/send spans would be one per chunk of a multi-gigabyte upload: left out.
    tracing = OpenTelemetryConfig(exclude=["^/health$"],
                                  exclude_spans=["receive", "send"])
    metrics = PrometheusConfig(app_name="chhub-gateway", prefix="chhub_http", group_path=True,
                               exclude=["^/static/"],
                               buckets=[.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30,
                                        60, 300])
    return HttpObservability(plugins=[OpenTelemetryPlugin(tracing)],
                             middleware=[metrics.middleware])
