"""Tracing for every service: the process's tracer provider, the broker's middlewares (W3C
trace context in message headers), one span per consumer stage, traces of their own for the
songs of large packs (linked to their upload's), and the trace ids logs and the UI show.

Nothing is traced until `configure_tracing` ran (the CLI does it before building a service):
unit and integration tests that build services directly pay nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Any

from faststream import BaseMiddleware
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, ParentBased
from opentelemetry.trace import Link, Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from shared.settings import TelemetrySettings

_PROPAGATOR = TraceContextTextMapPropagator()
_tracer = trace.get_tracer("chhub")
_state: dict[str, Any] = {"enabled": False, "recording": False, "songs_per_upload": 20}
# Spans that a message about to be published must be sent under instead of the current one,
# by message id: registered by a consumer, picked up by OwnTraceMiddleware when it publishes.
_own_spans: dict[str, Span] = {}


def service_name(service: str) -> str:
    return f"chhub-{service}"


def configure_tracing(settings: TelemetrySettings, service: str) -> None:
    """Install this process's tracer provider with its resource and exporter."""
    _state["songs_per_upload"] = settings.trace_songs_per_upload
    if not settings.telemetry_enabled:
        return
    provider = tracer_provider(settings, service)
    trace.set_tracer_provider(provider)
    _state["enabled"] = True
    _state["recording"] = provider.sampler is not ALWAYS_OFF


def tracer_provider(settings: TelemetrySettings, service: str) -> TracerProvider:
    """The tracer provider of `service`. Spans that go nowhere (no exporter) are not recorded:
    each still carries its trace's ids, for the logs, the upload's row and the next service,
    at a fraction of a recorded span's cost."""
    resource = Resource.create({
        "service.name": service_name(service),
        "service.version": _version(),
        "deployment.environment": settings.deployment_environment,
    })
    exporter = _exporter(settings)
    if exporter is None:
        return TracerProvider(resource=resource, sampler=ALWAYS_OFF)
    provider = TracerProvider(resource=resource, sampler=ParentBased(ALWAYS_ON))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def enabled() -> bool:
    return _state["enabled"]


def recording() -> bool:
    """Spans are recorded and sent somewhere (a tracing exporter is set)."""
    return _state["enabled"] and _state["recording"]


def _version() -> str:
    try:
        return metadata.version("clonehero-hub")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _exporter(settings: TelemetrySettings) -> SpanExporter | None:
    if settings.trace_exporter == "console":
        return ConsoleSpanExporter()
    if settings.trace_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=settings.otlp_endpoint.rstrip("/") + "/v1/traces")
    if settings.trace_exporter != "none":
        raise ValueError(f"unknown trace exporter {settings.trace_exporter!r}")
    return None


# ---- the broker ------------------------------------------------------------------------------

class OwnTraceMiddleware(BaseMiddleware):
    """Publishes a message registered with `publish_in_own_trace` under its own span."""

    async def publish_scope(self, call_next: Callable[[Any], Awaitable[Any]], cmd: Any) -> Any:
        span = _own_spans.pop(str(cmd.message_options.get("message_id")), None)
        if span is None:
            return await call_next(cmd)
        with trace.use_span(span, end_on_exit=True):
            return await call_next(cmd)


class StageSpanMiddleware(BaseMiddleware):
    """A span named after the consuming stage (its queue) around all of one message's handling,
    publishing its events included, so the next stage's spans are its descendants."""

    async def consume_scope(self, call_next: Callable[[Any], Awaitable[Any]], msg: Any) -> Any:
        queue = getattr(getattr(self.context.get_local("handler_"), "queue", None), "name", None)
        with _tracer.start_as_current_span(queue or "consume"):
            return await call_next(msg)


def tracing_middlewares() -> tuple[Any, ...]:
    """The broker middlewares that trace publishing and consuming (none when tracing is off):
    OwnTraceMiddleware wraps the telemetry middleware, which wraps each stage's span."""
    if not enabled():
        return ()
    from faststream.rabbit.opentelemetry import RabbitTelemetryMiddleware

    return (OwnTraceMiddleware, RabbitTelemetryMiddleware(), StageSpanMiddleware)


def traced_handler(stage: str, handler: Callable[[Any], Awaitable[Any]]):
    """`handler` with its event's ids on the stage's span, and its failure recorded there."""
    if not enabled():
        return handler

    async def run(event: Any) -> Any:
        span = trace.get_current_span()
        span.set_attributes({"chhub.stage": stage, **_attributes_of(event)})
        try:
            return await handler(event)
        except Exception as error:
            span.record_exception(error)
            span.set_status(trace.Status(trace.StatusCode.ERROR, str(error)[:200]))
            raise

    return run


def _attributes_of(event: Any) -> dict[str, str]:
    attributes = {"chhub.event": str(getattr(event, "routing_key", type(event).__name__))}
    for name in ("upload_id", "song_id", "event_id"):
        if value := getattr(event, name, None):
            attributes[f"chhub.{name}"] = str(value)
    return attributes


def publish_in_own_trace(event: Any, *, name: str, traceparent: str | None = None,
                         link_current: bool = True) -> str | None:
    """Publish `event` (when it is published next) in a trace of its own: a child of
    `traceparent` when one is given, else a new root, linked to the current span. Returns
    that trace's id (None when tracing is off)."""
    if not enabled():
        return None
    parent = _PROPAGATOR.extract({"traceparent": traceparent}) if traceparent else (
        otel_context.Context())
    current = trace.get_current_span().get_span_context()
    links = [Link(current)] if link_current and current.is_valid else None
    if len(_own_spans) > 10_000:  # publishes that never happened (a failed handler)
        _own_spans.clear()
    span = _tracer.start_span(name, context=parent, links=links, kind=SpanKind.PRODUCER,
                              attributes=_attributes_of(event))
    _own_spans[str(event.event_id)] = span
    return format(span.get_span_context().trace_id, "032x")


def songs_in_own_traces(found: Iterable[Any]) -> None:
    """Give each `song.found` past the per-upload limit a trace of its own, linked to the
    upload's (a pack of thousands of songs would make one unreadable trace)."""
    for event in list(found)[_state["songs_per_upload"]:]:
        publish_in_own_trace(event, name="song.found")


# ---- ids for logs, tables and the UI ---------------------------------------------------------

def current_trace_id() -> str | None:
    """The current trace's id as 32 hex digits, or None outside any trace."""
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, to resume the trace elsewhere."""
    carrier: dict[str, str] = {}
    _PROPAGATOR.inject(carrier)
    return carrier.get("traceparent")


@contextmanager
def resumed(traceparent: str | None) -> Iterator[None]:
    """Make `traceparent` the current parent for the block (no-op when None)."""
    if not traceparent or not enabled():
        yield
        return
    token = otel_context.attach(_PROPAGATOR.extract({"traceparent": traceparent}))
    try:
        yield
    finally:
        otel_context.detach(token)


def trace_url(template: str | None, trace_id: str | None) -> str | None:
    """The tracing UI's link to `trace_id`, when both are known."""
    return template.format(trace_id=trace_id) if template and trace_id else None


def span(name: str, **attributes: Any):
    """A client span around one call to another system (S3, Syncthing)."""
    return _tracer.start_as_current_span(name, kind=SpanKind.CLIENT, attributes={
        key: str(value) for key, value in attributes.items() if value is not None})
