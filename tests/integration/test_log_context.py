"""Log lines written while a consumer handles a message carry the message's trace (as
OpenTelemetry and Datadog spell its ids) and its upload and song ids, on the real RabbitMQ."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import uuid

import pytest
import structlog
from opentelemetry import trace

from shared import telemetry
from shared.events import SongFound, UploadOrigin
from shared.logs import configure_logging
from shared.messaging import EventBus, declare_topology
from shared.service import Subscriptions, make_broker
from shared.settings import BrokerSettings, TelemetrySettings
from shared.topology import Consumer
from tests.support.stack import TEST_VHOST, drop_vhost, fresh_vhost


@pytest.fixture(scope="module")
def vhost_url():
    name = f"{TEST_VHOST}-log-context"
    yield fresh_vhost(name)
    drop_vhost(name)


@pytest.fixture
def tracing():
    """Tracing on (no exporter) for this test only."""
    telemetry.configure_tracing(TelemetrySettings(trace_exporter="none"), "ingest")
    yield
    telemetry._state["enabled"] = False


@pytest.fixture
def logged():
    """The service's JSON log lines, written to a buffer for this test only: structlog's
    configuration and the root logger's handlers are put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    buffer = io.StringIO()
    configure_logging(service="test", fmt="json")
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=buffer),
                        cache_logger_on_first_use=False)

    def lines() -> list[dict]:
        return [json.loads(line) for line in buffer.getvalue().splitlines()]

    yield lines
    structlog.reset_defaults()
    root.handlers[:], root.level = handlers, level


async def test_lines_logged_while_handling_a_message_carry_its_trace_and_ids(
        vhost_url, tracing, logged) -> None:
    consumer = Consumer("test", f"logs-{uuid.uuid4().hex[:8]}", ("song.found",))
    handled = asyncio.Event()

    async def handler(event: SongFound):
        structlog.get_logger("test.handler").info("handler.working", folder=event.folder)
        handled.set()
        return ()

    settings = BrokerSettings(broker_url=vhost_url, retry_delays_seconds=(0.2,))
    broker = make_broker(settings)
    Subscriptions(broker, settings).add(consumer, handler)
    song_id, upload_id = uuid.uuid4(), uuid.uuid4()
    event = SongFound(event_id=SongFound.id_for(song_id), upload_id=upload_id,
                      song_id=song_id, folder="Song", origin=UploadOrigin(bucket="b", key="k",
                                                                          filename="f.zip"))
    async with broker:
        await broker.connect()
        await declare_topology(broker, [consumer], delivery_limit=settings.delivery_limit,
                               retries=1)
        await broker.start()
        with trace.get_tracer("test").start_as_current_span("upload request") as request:
            await EventBus(broker).publish(event)
        await asyncio.wait_for(handled.wait(), timeout=20)

    [line] = [line for line in logged() if line.get("event") == "handler.working"]
    trace_id = format(request.get_span_context().trace_id, "032x")
    assert line["trace_id"] == trace_id
    assert len(line["span_id"]) == 16 and line["span_id"] != format(
        request.get_span_context().span_id, "016x")
    assert line["upload_id"] == str(upload_id) and line["song_id"] == str(song_id)
    assert line["dd.trace_id"] == str(int(trace_id, 16) & (2**64 - 1))
    assert line["dd.span_id"] == str(int(line["span_id"], 16))
    assert line["queue"] == consumer.queue_name


def test_lines_logged_outside_any_span_carry_no_trace_ids(logged) -> None:
    structlog.get_logger("test.idle").info("idle")
    [line] = [line for line in logged() if line.get("event") == "idle"]
    assert "trace_id" not in line and "dd.trace_id" not in line
