"""Archives put into the uploads bucket's drop area by any S3 client are ingested exactly once,
whether MinIO's notification, the reconciler or both see them."""

from __future__ import annotations

import asyncio
import time

import aio_pika
import httpx
import pytest
from sqlalchemy import text

from tests.support.bucket import BUCKET, uploads_of, wait_for_uploads
from tests.support.minio_events import minio_event
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"


async def notify(broker_url: str, body: bytes) -> None:
    connection = await aio_pika.connect(broker_url)
    async with connection:
        channel = await connection.channel()
        exchange = await channel.get_exchange("chhub.minio")
        await exchange.publish(aio_pika.Message(body, delivery_mode=2), routing_key="")


def drop(s3, corpus, unique: str, key: str) -> str:
    data = zip_bytes(song_files(corpus / AMAZING, unique))
    return s3.put_object(Bucket=BUCKET, Key=key, Body=data)["ETag"].strip('"')


def test_an_archive_put_by_boto3_without_any_event_is_ingested_once_by_the_reconciler(
        stack, s3, corpus, catalog, unique):
    key = f"drop/{unique}/My Song.zip"
    drop(s3, corpus, unique, key)
    [(upload_id, _)] = wait_for_uploads(catalog, key)
    details = wait_for_upload(stack, str(upload_id))
    assert details["state"] == "completed"
    assert [song["stage"] for song in details["songs"]] == ["published"]
    time.sleep(3)  # several more reconciler rounds
    assert len(uploads_of(catalog, key)) == 1


@pytest.mark.parametrize("name", ["AC+DC \u2013 Live.zip", "a%2Fb.zip", "Caf\u00e9.zip"])
def test_a_minio_notification_ingests_the_object_once_even_when_the_reconciler_sees_it_too(
        stack, s3, corpus, catalog, unique, name):
    key = f"drop/{unique}/{name}"
    etag = drop(s3, corpus, unique, key)
    body = minio_event(BUCKET, key, etag=etag,
                       event_name="s3:ObjectCreated:CompleteMultipartUpload")
    asyncio.run(notify(stack.env["CHHUB_BROKER_URL"], body))
    asyncio.run(notify(stack.env["CHHUB_BROKER_URL"], body))  # delivered twice
    [(upload_id, _)] = wait_for_uploads(catalog, key)
    details = wait_for_upload(stack, str(upload_id))
    assert [song["stage"] for song in details["songs"]] == ["published"]
    time.sleep(3)
    assert len(uploads_of(catalog, key)) == 1
    with catalog.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM songs WHERE upload_id = :id"),
                                  {"id": upload_id}).scalar() == 1


def test_a_gateway_upload_is_never_ingested_again_by_the_reconciler(stack, admin_token, corpus,
                                                                   catalog, unique):
    data = zip_bytes(song_files(corpus / AMAZING, unique))
    upload_id = upload(stack, admin_token, data, "gateway.zip")
    wait_for_upload(stack, upload_id)
    time.sleep(3)
    with catalog.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM uploads WHERE key LIKE :key"),
                                  {"key": f"%{upload_id}%"}).scalar()
    assert rows == 1
    assert httpx.get(f"{stack.gateway_url}/api/uploads/{upload_id}").json()["state"] == \
        "completed"
