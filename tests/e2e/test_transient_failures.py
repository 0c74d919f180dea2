"""A transient failure (the database refusing connections for a moment) is retried with
backoff and the upload completes."""

from __future__ import annotations

import asyncio
import io
import json
import time
import uuid

from faststream.rabbit import RabbitBroker
from minio import Minio

from shared.events import UploadOrigin, UploadReceived
from shared.messaging import EventBus
from tests.support.faults import set_connections_allowed, wait_until_consuming, wait_until_idle
from tests.support.songs import song_files, wait_for_upload, zip_bytes
from tests.support.stack import TEST_VHOST

AMAZING = "donnaken15-charts/Amazing"


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
    assert wait_until_consuming(TEST_VHOST) == []  # every service past its start
    assert wait_until_idle(TEST_VHOST) == 0  # earlier tests' songs are not in the way
    set_connections_allowed(database_url, False)
    try:
        asyncio.run(announce(stack.env["CHHUB_BROKER_URL"], UploadReceived.about(
            upload_id, origin=UploadOrigin(bucket="chhub-uploads", key=key,
                                           filename="song.zip"), size=len(data))))
        deadline = time.monotonic() + 120  # until the extract stage has met the closed door
        while not retries_of(stack, upload_id):
            assert time.monotonic() < deadline, "the extract stage never retried"
            time.sleep(0.2)
    finally:
        set_connections_allowed(database_url, True)
    details = wait_for_upload(stack, str(upload_id))
    assert details["state"] == "completed", details
    assert [song["stage"] for song in details["songs"]] == ["published"]
    assert {entry["queue"] for entry in retries_of(stack, upload_id)} == {"ingest.extract"}


def retries_of(stack, upload_id: uuid.UUID) -> list[dict]:
    """The ingest's retry log entries for one upload."""
    entries = (json.loads(line) for line in stack.log_of("ingest").splitlines()
               if "message.retrying" in line and str(upload_id) in line)
    return [entry for entry in entries if entry.get("event") == "message.retrying"]
