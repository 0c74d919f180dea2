"""One upload is one trace across the gateway, ingest, catalog and sync processes, exported
over OTLP (http/protobuf) to a receiver the test runs; the songs of a pack past the per-upload
limit get traces of their own, linked to the upload's; an archive dropped in the bucket with a
`traceparent` in its user metadata continues the uploader's trace."""

from __future__ import annotations

import contextlib
import uuid

import httpx
import pytest

from tests.support.bucket import BUCKET, wait_for_uploads
from tests.support.otlp import OtlpReceiver, ReceivedSpan
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes
from tests.support.stack import SERVICES, Stack, free_port

AMAZING = "donnaken15-charts/Amazing"
SONGS_PER_TRACE = 2
STAGES = {"ingest.unpack": "chhub-ingest", "ingest.extract": "chhub-ingest",
          "ingest.parse": "chhub-ingest", "catalog.catalog": "chhub-catalog",
          "sync.publish": "chhub-sync"}
SERVER = 2  # OTLP's SpanKind SPAN_KIND_SERVER


@pytest.fixture(scope="module")
def receiver(stack: Stack):
    """The stack's services restarted to export their spans here; restarted back after."""
    with OtlpReceiver() as running:
        env = {"CHHUB_TRACE_EXPORTER": "otlp", "CHHUB_OTLP_ENDPOINT": running.endpoint,
               "CHHUB_TRACE_SONGS_PER_UPLOAD": str(SONGS_PER_TRACE),
               "CHHUB_DEPLOYMENT_ENVIRONMENT": "e2e-test", "OTEL_BSP_SCHEDULE_DELAY": "200",
               "CHHUB_TRACE_URL_TEMPLATE": "https://traces.example/trace/{trace_id}"}
        try:
            for service in SERVICES:
                stack.restart(service, **env, CHHUB_METRICS_PORT=str(free_port()))
            yield running
        finally:
            for service in SERVICES:
                stack.restart(service)
            for service in SERVICES[1:]:  # the gateway's start waits for it already
                stack.wait_until_started(service)  # the tests after find them consuming


def ancestors(span: ReceivedSpan, by_id: dict[str, ReceivedSpan]) -> list[ReceivedSpan]:
    chain = []
    while span.parent_id is not None:
        assert span.parent_id in by_id, f"{span.name}: its parent span never arrived"
        span = by_id[span.parent_id]
        chain.append(span)
    return chain


def stage_spans(spans: list[ReceivedSpan], stage: str) -> list[ReceivedSpan]:
    return [span for span in spans if span.name == stage]


def test_an_upload_is_one_trace_from_the_request_to_the_published_song(
        stack, admin_token, corpus, unique, receiver: OtlpReceiver) -> None:
    upload_id = upload(stack, admin_token, zip_bytes(song_files(corpus / AMAZING, unique)),
                       "amazing.zip")
    details = wait_for_upload(stack, upload_id)
    assert details["state"] == "completed", details
    trace_id = details["trace_id"]
    assert details["trace_url"] == f"https://traces.example/trace/{trace_id}"

    def complete() -> bool:
        names = {span.name for span in receiver.trace(trace_id)}
        return set(STAGES) <= names and any(span.kind == SERVER
                                            for span in receiver.trace(trace_id))

    receiver.wait_for(complete)
    spans = receiver.trace(trace_id)
    by_id = {span.span_id: span for span in spans}
    [request] = [span for span in spans if span.kind == SERVER]
    assert request.service == "chhub-gateway" and request.parent_id is None
    assert "POST" in request.name
    resource = dict(request.resource)
    assert resource["deployment.environment"] == "e2e-test" and resource["service.version"]
    chain = ["ingest.unpack", "ingest.extract", "ingest.parse", "catalog.catalog",
             "sync.publish"]
    for index, stage in enumerate(chain):
        [span] = stage_spans(spans, stage)
        assert span.service == STAGES[stage]
        assert span.attributes["chhub.upload_id"] == upload_id
        above = {a.name for a in ancestors(span, by_id)}
        assert request.name in above, f"{stage} is not under the request"
        assert set(chain[:index]) <= above, f"{stage} is not under {chain[:index]}"
    names = {span.name for span in spans}
    assert "s3 download" in names and "s3 put_stream" in names
    assert any(span.attributes.get("db.system") == "postgresql" for span in spans)


def test_the_songs_of_a_pack_past_the_limit_get_traces_linked_to_the_upload(
        stack, admin_token, corpus, unique, receiver: OtlpReceiver) -> None:
    songs = 4
    files = {f"Song {index}/{name}": data for index in range(songs)
             for name, data in song_files(corpus / AMAZING, f"{unique}-{index}").items()}
    upload_id = upload(stack, admin_token, zip_bytes(files), "pack.zip")
    details = wait_for_upload(stack, upload_id, timeout=180)
    assert details["state"] == "completed", details
    trace_id = details["trace_id"]

    def extracts() -> list[ReceivedSpan]:
        return [span for span in receiver.spans if span.name == "ingest.extract"
                and span.attributes.get("chhub.upload_id") == upload_id]

    receiver.wait_for(lambda: len(extracts()) == songs)
    inside = [span for span in extracts() if span.trace_id == trace_id]
    apart = [span for span in extracts() if span.trace_id != trace_id]
    assert len(inside) == SONGS_PER_TRACE and len(apart) == songs - SONGS_PER_TRACE
    upload_span_ids = {span.span_id for span in receiver.trace(trace_id)}
    for span in apart:
        receiver.wait_for(lambda span=span: any(s.parent_id is None
                                                for s in receiver.trace(span.trace_id)))
        [root] = [s for s in receiver.trace(span.trace_id) if s.parent_id is None]
        assert root.name == "song.found" and root.service == "chhub-ingest"
        assert [link[0] for link in root.links] == [trace_id]
        assert root.links[0][1] in upload_span_ids
    assert httpx.get(f"{stack.gateway_url}/health", timeout=5).status_code == 200


def test_an_archive_dropped_in_the_bucket_with_a_traceparent_continues_the_uploaders_trace(
        stack, s3, catalog, corpus, unique, receiver: OtlpReceiver) -> None:
    uploader_trace, uploader_span = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    key = f"drop/{unique}/traced.zip"
    s3.put_object(Bucket=BUCKET, Key=key, Body=zip_bytes(song_files(corpus / AMAZING, unique)),
                  Metadata={"traceparent": f"00-{uploader_trace}-{uploader_span}-01"})
    [(upload_id, _)] = wait_for_uploads(catalog, key)
    details = wait_for_upload(stack, str(upload_id))
    assert details["state"] == "completed", details
    assert details["trace_id"] == uploader_trace

    def every_stage_reaches_the_uploader() -> bool:
        """Each stage's span and its parents up to the uploader's span have arrived: each
        service exports its spans in batches of its own, a parent maybe after its child."""
        spans = receiver.trace(uploader_trace)
        by_id = {span.span_id: span for span in spans}
        for stage in STAGES:
            found = stage_spans(spans, stage)
            if not found:
                return False
            span = found[0]
            while span.parent_id != uploader_span:
                if span.parent_id not in by_id:
                    return False
                span = by_id[span.parent_id]
        return True

    with contextlib.suppress(TimeoutError):  # the assertions below say which chain broke
        receiver.wait_for(every_stage_reaches_the_uploader, timeout=60)
    spans = receiver.trace(uploader_trace)
    [drop] = [span for span in spans if span.name == "bucket drop"]
    assert drop.parent_id == uploader_span and drop.service == "chhub-ingest"
    by_id = {span.span_id: span for span in spans}
    for stage in STAGES:
        [span] = stage_spans(spans, stage)
        while span.parent_id != uploader_span:  # up to the uploader's span, never exported here
            assert span.parent_id in by_id, f"{stage}: a parent span never arrived"
            span = by_id[span.parent_id]
        assert span is drop, f"{stage} is not under the bucket drop"
