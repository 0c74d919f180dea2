"""After uploads, every service process serves its metrics on `/metrics` with the labels the
dashboards and alerts rely on, and every metric those name is one the services export."""

from __future__ import annotations

import json
from collections import defaultdict

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.support.promql import EXPORTER_PREFIXES, metric_names, queries, served_name
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes
from tests.support.stack import SERVICES, Stack

AMAZING = "donnaken15-charts/Amazing"
Samples = dict[str, list[tuple[dict[str, str], float]]]

EXPECTED: dict[str, dict[str, dict[str, str | None]]] = {
    # service: {sample name: {label: value, or None for any value}}
    "gateway": {
        "chhub_http_requests_total": {"method": "POST", "path": "/api/uploads",
                                      "status_code": "202", "app_name": "chhub-gateway"},
        "chhub_http_request_duration_seconds_bucket": {"path": "/api/uploads", "le": None},
        "chhub_bytes_total": {"direction": "received"},
        "chhub_messages_published_total": {"stage": "gateway", "event": "upload.received"},
    },
    "ingest": {
        "chhub_messages_consumed_total": {"stage": "ingest.parse"},
        "chhub_stage_duration_seconds_bucket": {"stage": "ingest.extract", "le": None},
        "chhub_messages_failed_total": {"stage": "ingest.unpack", "kind": "permanent"},
        "chhub_messages_published_total": {"stage": "ingest.unpack", "event": "song.found"},
        "chhub_messages_dead_lettered_total": {"stage": "ingest.extract"},
        "chhub_bytes_total": {"direction": "extracted"},
        "faststream_received_messages_total": {"app_name": "chhub-ingest", "handler": None},
        "faststream_received_processed_messages_duration_seconds_bucket": {"handler": None},
    },
    "catalog": {
        "chhub_library_songs": {},
        "chhub_library_songs_by_instrument": {"instrument": None},
        "chhub_uploads_total": {"outcome": "completed"},
        "chhub_upload_duration_seconds_bucket": {"outcome": "completed", "le": None},
        "chhub_song_failures_total": {"stage": "unpack", "reason": None},
        "chhub_uploads_unfinished": {},
        "chhub_upload_stalest_seconds": {},
        "chhub_messages_consumed_total": {"stage": "catalog.catalog"},
        "chhub_messages_published_total": {"stage": "catalog", "event": "song.cataloged"},
    },
    "sync": {
        "chhub_messages_consumed_total": {"stage": "sync.publish"},
        "chhub_messages_published_total": {"stage": "sync.publish", "event": "song.published"},
    },
}
POSITIVE = {("gateway", "chhub_bytes_total"), ("ingest", "chhub_bytes_total"),
            ("ingest", "chhub_messages_failed_total"), ("catalog", "chhub_uploads_total"),
            ("catalog", "chhub_library_songs")}


def metrics_url(stack: Stack, service: str) -> str:
    """Where `service` serves `/metrics`: the port it logged last (the next free one when its
    default was taken), on loopback, apart from the gateway's public port."""
    lines = [json.loads(line) for line in stack.log_of(service).splitlines()
             if line.startswith("{") and '"metrics.serving"' in line]
    assert lines, f"{service} logged no metrics port"
    return f"http://127.0.0.1:{lines[-1]['port']}/metrics"


def scrape(stack: Stack, service: str) -> Samples:
    response = httpx.get(metrics_url(stack, service), timeout=10)
    assert response.status_code == 200, response.text
    samples: Samples = defaultdict(list)
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[sample.name].append((sample.labels, sample.value))
    return samples


@pytest.fixture(scope="module")
def scraped(stack, admin_token, corpus) -> dict[str, Samples]:
    good = upload(stack, admin_token, zip_bytes(song_files(corpus / AMAZING, "metrics-ok")),
                  "amazing.zip")
    bad = upload(stack, admin_token, b"not an archive at all", "broken.zip")
    assert wait_for_upload(stack, good)["state"] == "completed"
    assert wait_for_upload(stack, bad)["state"] == "failed"
    return {service: scrape(stack, service) for service in SERVICES}


def matches(labels: dict[str, str], wanted: dict[str, str | None]) -> bool:
    return all(key in labels and (value is None or labels[key] == value)
               for key, value in wanted.items())


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_serves_its_metrics_with_the_expected_labels(
        scraped: dict[str, Samples], service: str) -> None:
    samples = scraped[service]
    for name, wanted in EXPECTED[service].items():
        found = [value for labels, value in samples.get(name, []) if matches(labels, wanted)]
        assert found, f"{service} serves no {name} with {wanted}"
        if (service, name) in POSITIVE:
            assert max(found) > 0, f"{service}: {name} is still 0"


def test_the_gateway_serves_its_metrics_apart_from_its_public_port(stack, scraped) -> None:
    assert metrics_url(stack, "gateway") != f"{stack.gateway_url}/metrics"
    assert httpx.get(f"{stack.gateway_url}/metrics", timeout=10).status_code == 404


def test_every_metric_the_dashboards_and_alerts_name_is_exported(
        scraped: dict[str, Samples]) -> None:
    exported = {served_name(name) for samples in scraped.values() for name in samples}
    exported |= set().union(*scraped.values())
    named = {name for _, expr in queries() for name in metric_names(expr)}
    ours = {name for name in named if not name.startswith(EXPORTER_PREFIXES) and name != "up"}
    assert ours, "no query names a metric of ours"
    assert sorted(name for name in ours
                  if name not in exported and served_name(name) not in exported) == []
