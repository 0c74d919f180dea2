"""structlog setup: readable lines at a terminal, JSON for log pipelines.

Context such as `upload_id`, `song_id` and `event_id` is bound once per message at the
consumer boundary (structlog contextvars) and appears on every line written meanwhile; the
current span's `trace_id` and `span_id` are added to every line written inside a span, with
Datadog's `dd.trace_id` and `dd.span_id` (decimal, the trace id's low 64 bits) so that the
Datadog Agent links log lines to their traces.
"""

from __future__ import annotations

import logging
import sys

import structlog
from opentelemetry import trace

LOW_64_BITS = (1 << 64) - 1


def add_trace_ids(_logger: object, _method: str, event_dict: dict) -> dict:
    """Adds the current span's ids (OpenTelemetry's hex and Datadog's decimal forms)."""
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event_dict["trace_id"] = format(span_context.trace_id, "032x")
        event_dict["span_id"] = format(span_context.span_id, "016x")
        event_dict["dd.trace_id"] = str(span_context.trace_id & LOW_64_BITS)
        event_dict["dd.span_id"] = str(span_context.span_id)
    return event_dict


def configure_logging(*, service: str, fmt: str = "console", level: str = "INFO") -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared_processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        add_trace_ids,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
    ]
    structlog.configure(
        processors=[*shared_processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
    structlog.contextvars.bind_contextvars(service=service)
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format=f"%(asctime)s [{service}] %(name)s %(levelname)s %(message)s")
    for noisy in ("aio_pika", "aiormq", "urllib3", "faststream.access", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
