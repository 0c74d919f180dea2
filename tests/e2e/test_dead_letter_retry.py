"""A message dead-lettered while its cause lasted completes once the cause is fixed and an
operator retries it; a discarded one is gone."""

from __future__ import annotations

import asyncio
import io
import time
import uuid

from minio import Minio

from shared.dead_letters import list_dead_letters
from shared.events import UploadOrigin, UploadReceived
from tests.e2e.test_transient_failures import announce, set_connections_allowed
from tests.support.songs import song_files, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"


def wait_for_dead_letter(url: str, queue: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(letter.queue == queue for letter in asyncio.run(list_dead_letters(url))):
            return
        time.sleep(0.5)
    raise TimeoutError(f"nothing was dead-lettered in {queue}")


def test_a_dead_lettered_song_completes_when_retried_after_the_cause_is_fixed(
        stack, corpus, database_url, unique):
    broker = stack.env["CHHUB_BROKER_URL"]
    upload_id = uuid.uuid4()
    data = zip_bytes(song_files(corpus / AMAZING, unique))
    key = f"dropped/{upload_id}/song.zip"
    Minio(endpoint=stack.env["CHHUB_S3_ENDPOINT"], access_key=stack.env["AWS_ACCESS_KEY_ID"],
          secret_key=stack.env["AWS_SECRET_ACCESS_KEY"], secure=False).put_object(
        bucket_name="chhub-uploads", object_name=key, data=io.BytesIO(data), length=len(data))
    set_connections_allowed(database_url, False)
    try:
        asyncio.run(announce(broker, UploadReceived.about(
            upload_id, origin=UploadOrigin(bucket="chhub-uploads", key=key,
                                           filename="song.zip"), size=len(data))))
        wait_for_dead_letter(broker, "ingest.extract")
    finally:
        set_connections_allowed(database_url, True)
    letters = asyncio.run(list_dead_letters(broker))
    [extract] = [letter for letter in letters if letter.queue == "ingest.extract"
                 and letter.body.get("upload_id") == str(upload_id)]
    assert extract.reason.startswith("Gave up after 4 attempts")  # the first and 3 retries
    for queue in {letter.queue for letter in letters}:
        stack.chhub("dlq", "retry", queue, "--all")
    deadline = time.monotonic() + 90
    while True:  # the song's failure, retried too, may be recorded before its success
        details = wait_for_upload(stack, str(upload_id))
        if details["state"] == "completed" or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert details["state"] == "completed", details
    assert [song["stage"] for song in details["songs"]] == ["published"]


def test_a_discarded_dead_letter_is_gone(stack, database_url):
    broker = stack.env["CHHUB_BROKER_URL"]
    upload_id = uuid.uuid4()
    set_connections_allowed(database_url, False)
    try:
        asyncio.run(announce(broker, UploadReceived.about(
            upload_id, origin=UploadOrigin(bucket="chhub-uploads", key="missing/nothing.zip",
                                           filename="nothing.zip"))))
        wait_for_dead_letter(broker, "catalog.progress")
    finally:
        set_connections_allowed(database_url, True)
    stack.chhub("dlq", "discard", "catalog.progress", "--all")
    assert not [letter for letter in asyncio.run(list_dead_letters(broker))
                if letter.queue == "catalog.progress"]
