"""structlog setup: readable lines at a terminal, JSON for log pipelines.

Context such as `upload_id`, `song_id` and `event_id` is bound once per message at the
consumer boundary (structlog contextvars) and appears on every line written meanwhile.
"""

from __future__ import annotations

import logging
import sys

import structlog


def configure_logging(*, service: str, fmt: str = "console", level: str = "INFO") -> None:
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    shared_processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
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
    for noisy in ("aio_pika", "aiormq", "urllib3", "faststream.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
