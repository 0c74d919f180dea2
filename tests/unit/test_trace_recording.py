"""A service that sends its spans nowhere does not record them, yet every span still carries
its trace's ids (for the logs, the upload's row and the next service); with an exporter set,
every span is recorded."""

from __future__ import annotations

import subprocess
import sys

import pytest

from shared.settings import TelemetrySettings
from shared.telemetry import tracer_provider


def test_without_an_exporter_spans_carry_trace_ids_but_are_not_recorded():
    provider = tracer_provider(TelemetrySettings(trace_exporter="none"), "gateway")
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("request") as parent:
        child = tracer.start_span("statement")
    assert not parent.is_recording() and not child.is_recording()
    assert parent.get_span_context().is_valid
    assert child.get_span_context().trace_id == parent.get_span_context().trace_id


def test_with_an_exporter_every_span_is_recorded():
    provider = tracer_provider(TelemetrySettings(trace_exporter="console"), "gateway")
    tracer = provider.get_tracer("test")
    with tracer.start_as_current_span("request") as parent:
        child = tracer.start_span("statement")
        assert parent.is_recording() and child.is_recording()
        child.end()
    assert child.get_span_context().trace_id == parent.get_span_context().trace_id
    provider.shutdown()


@pytest.mark.parametrize(("exporter", "recording"), [("none", False), ("console", True)])
def test_a_service_instruments_its_statements_only_when_its_spans_are_recorded(exporter,
                                                                              recording):
    """`recording()` (which decides whether SQL statements get spans) follows the provider
    the service installed; asked in a process of its own, as a service starts."""
    asked = subprocess.run(
        [sys.executable, "-c",
         "from shared.settings import TelemetrySettings\n"
         "from shared import telemetry\n"
         f"telemetry.configure_tracing(TelemetrySettings(trace_exporter={exporter!r}), 'ingest')\n"
         "print(telemetry.recording())"],
        capture_output=True, text=True, timeout=60, check=True)
    assert asked.stdout.strip() == str(recording)
