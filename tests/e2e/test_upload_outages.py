"""Uploads while the broker, the object store or the database is away: the client always gets
an upload id it can ask about or a clear error it can retry, and no upload is left stuck."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import aio_pika
import httpx
import pytest
from aio_pika.exceptions import ChannelNotFoundEntity
from aiormq.exceptions import ConnectionInternalError
from sqlalchemy import Engine, create_engine, text

from services.gateway.tokens import create_token
from shared.persistence.db import make_sessions, transaction
from shared.topology import UNPACK
from tests.support import stack as stack_module
from tests.support.faults import set_connections_allowed
from tests.support.songs import song_files, zip_bytes
from tests.support.stack import Stack

AMAZING = "donnaken15-charts/Amazing"
LATE_VHOST = f"{stack_module.TEST_VHOST}-late"
RECEIVING_TIMEOUT = "2"


@contextmanager
def extra_gateway(stack: Stack, name: str, **env: str) -> Iterator[str]:
    """One more gateway on the stack's database, configured by `env`; its base URL."""
    port = stack_module.free_port()
    log = (stack.workdir / f"{name}.log").open("ab")
    process = subprocess.Popen(
        [sys.executable, "-m", "services.cli", "run", "gateway"], cwd=stack.workdir,
        env={**stack.env, "CHHUB_GATEWAY_PORT": str(port), **env}, stdout=log,
        stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # serving (its health may well say that something is away)
            assert process.poll() is None, f"{name} exited; see {stack.workdir / name}.log"
            assert time.monotonic() < deadline, f"{name} never answered"
            try:
                httpx.get(f"{url}/api/songs/", params={"per_page": 1}, timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.3)
        yield url
    finally:
        stack_module.stop(process)


@dataclass(frozen=True)
class LateBroker:
    """A gateway whose RabbitMQ virtual host does not exist yet (the broker is away), on a
    database of its own so that no other gateway relays its events."""

    url: str
    database_url: str
    catalog: Engine
    token: str


@pytest.fixture(scope="module")
def late(stack: Stack) -> Iterator[LateBroker]:
    name = f"{stack_module.TEST_DATABASE}_late"
    database_url = stack_module.fresh_database(name)
    engine = create_engine(database_url, pool_pre_ping=True)
    with transaction(make_sessions(engine)) as session:
        token = create_token(session, "outages", "uploader")
    stack_module.drop_vhost(LATE_VHOST)
    broker = stack.env["CHHUB_BROKER_URL"].rsplit("/", 1)[0] + f"/{LATE_VHOST}"
    try:
        with extra_gateway(stack, "gateway-late-broker", CHHUB_BROKER_URL=broker,
                           CHHUB_DATABASE_URL=database_url,
                           CHHUB_RECEIVING_TIMEOUT_SECONDS=RECEIVING_TIMEOUT) as url:
            yield LateBroker(url, database_url, engine, token)
    finally:
        engine.dispose()
        stack_module.drop_vhost(LATE_VHOST)
        stack_module.drop_database(name)


@pytest.fixture(scope="module")
def no_s3_gateway(stack: Stack) -> Iterator[str]:
    """A gateway whose object store refuses connections."""
    closed = f"127.0.0.1:{stack_module.free_port()}"
    with extra_gateway(stack, "gateway-no-s3", CHHUB_S3_ENDPOINT=closed) as url:
        yield url


@pytest.fixture(scope="module")
def no_database_gateway(stack: Stack) -> Iterator[str]:
    """A gateway whose database refuses connections."""
    closed = stack_module.database_url().replace("127.0.0.1:5432",
                                                 f"127.0.0.1:{stack_module.free_port()}")
    with extra_gateway(stack, "gateway-no-database", CHHUB_DATABASE_URL=closed) as url:
        yield url


def send(url: str, token: str, content, filename: str) -> httpx.Response:
    return httpx.post(f"{url}/api/uploads/", params={"filename": filename}, content=content,
                      headers={"Authorization": f"Bearer {token}",
                               "Content-Type": "application/octet-stream"}, timeout=120)


def upload_row(catalog, upload_id: str) -> dict:
    with catalog.connect() as connection:
        return dict(connection.execute(text("SELECT * FROM uploads WHERE id = :id"),
                                       {"id": upload_id}).mappings().one())


def wait_for(condition, timeout: float = 30, what: str = "the condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


def create_vhost(name: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*",
                    ".*"], check=True, capture_output=True)


async def unpack_messages(vhost: str) -> list[dict]:
    """What waits in the unpack queue of `vhost`: none while it is not declared yet, and what
    was read so far when the broker closes the connection because the new quorum queue's
    process has not started yet (`noproc`)."""
    messages: list[dict] = []
    try:
        connection = await aio_pika.connect(f"amqp://guest:guest@127.0.0.1:5672/{vhost}")
        async with connection:
            channel = await connection.channel()
            queue = await channel.get_queue(UNPACK.queue_name, ensure=False)
            while message := await queue.get(fail=False, no_ack=True):
                messages.append(json.loads(message.body))
    except (ChannelNotFoundEntity, ConnectionInternalError):
        pass
    return messages


def test_an_upload_taken_while_the_broker_is_away_is_announced_once_it_returns(
        late, corpus, unique):
    data = zip_bytes(song_files(corpus / AMAZING, unique))
    response = send(late.url, late.token, data, f"{unique}.zip")
    assert response.status_code == 202, response.text
    upload_id = response.json()["upload_id"]
    assert upload_row(late.catalog, upload_id)["state"] == "received"
    time.sleep(2)  # the relay keeps trying meanwhile
    create_vhost(LATE_VHOST)  # the broker is back
    announced: list[dict] = []
    wait_for(lambda: announced.extend(asyncio.run(unpack_messages(LATE_VHOST))) or announced,
             what="the upload's announcement")
    assert [(m["upload_id"], m["origin"]["key"]) for m in announced] == [
        (upload_id, f"gateway/{upload_id}/{unique}.zip")]


def test_an_upload_while_the_object_store_is_away_fails_with_a_reason_and_may_be_retried(
        stack, no_s3_gateway, admin_token, catalog, unique):
    response = send(no_s3_gateway, admin_token, b"PK" + unique.encode() * 1000,
                    f"{unique}.zip")
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"].isdigit()
    answer = response.json()
    assert answer["retryable"] is True
    assert "could not be stored" in answer["error"]
    row = upload_row(catalog, answer["upload_id"])
    assert row["state"] == "failed"
    assert "could not be stored" in row["error"] and "Connection refused" in row["error"]
    status = httpx.get(f"{no_s3_gateway}/api/uploads/{answer['upload_id']}", timeout=10).json()
    assert status["state"] == "failed" and status["error"] == row["error"]


def test_a_page_that_reads_the_object_store_while_it_is_away_is_answered_retry_later(
        no_s3_gateway, catalog, unique):
    """The song's row is there, its manifest is not reachable: an outage, not a server error."""
    song_id = uuid.uuid4()
    with catalog.begin() as connection:
        connection.execute(text(
            "INSERT INTO songs (id, title, artist, file_path, metadata, md5, revision,"
            " parser_version, manifest_key) VALUES (:id, :title, 'Outage', :path, '{}', :md5,"
            " 1, 1, :manifest)"),
            {"id": song_id, "title": unique, "path": f"songs/Outage/{unique}",
             "md5": uuid.uuid4().hex, "manifest": f"manifests/{song_id}/000001.json"})
    try:
        page = httpx.get(f"{no_s3_gateway}/songs/{song_id}", headers={"Accept": "text/html"},
                         timeout=60)
        assert page.status_code == 503 and "file store is not answering" in page.text
        assert page.headers["retry-after"].isdigit()
        api = httpx.get(f"{no_s3_gateway}/songs/{song_id}/download.zip", timeout=60)
        assert api.status_code == 503, api.text
        assert api.json()["retryable"] is True and "object store" in api.json()["error"]
    finally:
        with catalog.begin() as connection:
            connection.execute(text("DELETE FROM songs WHERE id = :id"), {"id": song_id})


def test_a_request_while_the_database_is_away_is_answered_retry_later(
        no_database_gateway, admin_token, unique):
    """Even checking the API token needs the database: its absence is no server error."""
    for response in (send(no_database_gateway, admin_token, b"PK" + unique.encode(), "a.zip"),
                     httpx.get(f"{no_database_gateway}/api/songs/", timeout=30)):
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"].isdigit()
        assert response.json()["retryable"] is True
        assert "database" in response.json()["error"]
    page = httpx.get(f"{no_database_gateway}/library", headers={"Accept": "text/html"},
                     timeout=30)
    assert page.status_code == 503 and "Back in a moment" in page.text


def test_an_upload_whose_row_cannot_be_written_is_retryable_and_ends_failed(late, unique):
    """The body is stored, then the database refuses connections: the client is told to send
    it again, and the row (which even its failure could not be written to) is swept later."""
    filename = f"{unique}.zip"

    def body():
        yield b"PK" + unique.encode() * 100
        wait_for(lambda: _receiving(late.catalog, filename), what="the upload's row")
        set_connections_allowed(late.database_url, False)
        yield unique.encode() * 100

    try:
        response = send(late.url, late.token, body(), filename)
    finally:
        set_connections_allowed(late.database_url, True)
    assert response.status_code == 503, response.text
    answer = response.json()
    assert answer["retryable"] is True and "could not be recorded" in answer["error"]
    wait_for(lambda: upload_row(late.catalog, answer["upload_id"])["state"] == "failed",
             what="the sweep")
    assert "never completed" in upload_row(late.catalog, answer["upload_id"])["error"]


def test_an_upload_left_receiving_by_a_stopped_gateway_is_swept_to_failed(late):
    catalog = late.catalog
    stale, waiting = uuid.uuid4(), uuid.uuid4()
    with catalog.begin() as connection:
        for upload_id, key in ((stale, f"gateway/{stale}"),
                               (waiting, f"gateway/{waiting}/chunks/")):
            connection.execute(text(
                "INSERT INTO uploads (id, filename, source, bucket, key, size, is_folder, "
                "state, created_at, updated_at) VALUES (:id, 'gone.zip', 'gateway', "
                "'chhub-uploads', :key, 0, false, 'receiving', now() - interval '1 hour', "
                "now() - interval '1 hour')"), {"id": upload_id, "key": key})
    wait_for(lambda: upload_row(catalog, str(stale))["state"] == "failed", what="the sweep")
    assert "never completed" in upload_row(catalog, str(stale))["error"]
    # A resumable upload waits a day for its client to come back.
    assert upload_row(catalog, str(waiting))["state"] == "receiving"


def _receiving(catalog, filename: str) -> bool:
    with catalog.connect() as connection:
        return connection.execute(text(
            "SELECT count(*) FROM uploads WHERE filename = :name AND state = 'receiving'"),
            {"name": filename}).scalar() == 1

