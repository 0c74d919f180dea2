"""A transient failure (the database refusing connections for a moment) is retried with
backoff and the upload completes."""

from __future__ import annotations

import asyncio
import io
import time
import uuid

from faststream.rabbit import RabbitBroker
from minio import Minio
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from shared.events import UploadReceived, event_id
from shared.messaging import EventBus
from tests.support.songs import song_files, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"


def set_connections_allowed(database_url: str, allowed: bool) -> None:
    name = make_url(database_url).database
    admin = create_engine(make_url(database_url).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        allow = "true" if allowed else "false"
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {allow}'))
        if not allowed:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name"), {"name": name})
    admin.dispose()


async def announce(broker_url: str, received: UploadReceived) -> None:
    broker = RabbitBroker(broker_url)
    async with broker:
        await broker.connect()
        await EventBus(broker).publish(received)


def test_an_upload_completes_after_the_database_refused_connections_for_a_while(
        stack, corpus, database_url, unique):
    upload_id = uuid.uuid4()
    data = zip_bytes(song_files(corpus / AMAZING, unique))
    key = f"dropped/{upload_id}/song.zip"
    Minio(endpoint=stack.env["CHHUB_S3_ENDPOINT"], access_key=stack.env["AWS_ACCESS_KEY_ID"],
          secret_key=stack.env["AWS_SECRET_ACCESS_KEY"], secure=False).put_object(
        bucket_name="chhub-uploads", object_name=key, data=io.BytesIO(data), length=len(data))
    retries_before = stack.log_of("ingest").count("message.retrying")
    set_connections_allowed(database_url, False)
    try:
        asyncio.run(announce(stack.env["CHHUB_BROKER_URL"], UploadReceived(
            event_id=event_id("upload.received", upload_id), upload_id=upload_id,
            bucket="chhub-uploads", key=key, filename="song.zip", size=len(data))))
        deadline = time.monotonic() + 45  # until the extract stage has met the closed door
        while stack.log_of("ingest").count("message.retrying") == retries_before:
            assert time.monotonic() < deadline, "the extract stage never retried"
            time.sleep(0.2)
    finally:
        set_connections_allowed(database_url, True)
    details = wait_for_upload(stack, str(upload_id))
    assert details["state"] == "completed", details
    assert [song["stage"] for song in details["songs"]] == ["published"]
    assert stack.log_of("ingest").count("message.retrying") > retries_before
