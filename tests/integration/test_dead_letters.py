"""Operators see dead letters with their reason, retry them after fixing the cause, or discard
them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid

import pytest
from faststream.rabbit import RabbitBroker

from shared.dead_letters import list_dead_letters, settle
from shared.events import SongFound, UploadOrigin
from shared.service import declare_all
from shared.settings import BrokerSettings
from shared.topology import ATTEMPT_HEADER, DEAD, EXTRACT, REASON_HEADER
from tests.support.stack import TEST_VHOST, drop_vhost, fresh_vhost


@pytest.fixture(scope="module")
def module_vhost():
    name = f"{TEST_VHOST}-dlq"
    url = fresh_vhost(name)
    yield url
    drop_vhost(name)


@pytest.fixture
def vhost_url(module_vhost):
    """The module's virtual host with no dead letter left by an earlier test."""
    asyncio.run(dead_letter(module_vhost, "setting up"))
    asyncio.run(settle(module_vhost, "ingest.extract", None, retry=False))
    asyncio.run(_purge(module_vhost, EXTRACT.queue_name))
    return module_vhost


async def _purge(url: str, name: str) -> None:
    import aio_pika

    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        await (await channel.declare_queue(name, passive=True)).purge()


async def dead_letter(url: str, reason: str) -> str:
    song_id = uuid.uuid4()
    event = SongFound(event_id=SongFound.id_for(song_id), upload_id=uuid.uuid4(),
                      song_id=song_id, folder="Song",
                      origin=UploadOrigin(bucket="b", key="k", filename="f"))
    broker = RabbitBroker(url)
    async with broker:
        await declare_all(broker, BrokerSettings(broker_url=url))
        await broker.publish(event.model_dump_json().encode(), exchange=DEAD,
                             routing_key=EXTRACT.queue_name, persist=True,
                             message_id=str(event.event_id),
                             headers={REASON_HEADER: reason, ATTEMPT_HEADER: 5})
    return str(event.event_id)


async def queue_depth(url: str, name: str) -> int:
    import aio_pika

    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue(name, passive=True)
        return queue.declaration_result.message_count


def test_a_dead_letter_is_listed_with_its_stage_reason_and_attempts(vhost_url):
    message_id = asyncio.run(dead_letter(vhost_url, "Gave up after 5 attempts: S3 is away"))
    [letter] = asyncio.run(list_dead_letters(vhost_url))
    assert (letter.queue, letter.stage, letter.message_id) == ("ingest.extract", "extract",
                                                               message_id)
    assert letter.reason == "Gave up after 5 attempts: S3 is away"
    assert letter.attempts == 5
    assert letter.event_type == "song.found"
    assert len(asyncio.run(list_dead_letters(vhost_url))) == 1, "listing leaves them in place"


def test_a_retried_dead_letter_goes_back_to_its_consumer_with_attempts_reset(vhost_url):
    message_id = asyncio.run(dead_letter(vhost_url, "broken"))
    assert asyncio.run(settle(vhost_url, "ingest.extract", message_id, retry=True)) == 1
    assert asyncio.run(list_dead_letters(vhost_url)) == []
    assert asyncio.run(queue_depth(vhost_url, EXTRACT.queue_name)) == 1


def test_a_discarded_dead_letter_is_gone(vhost_url):
    asyncio.run(dead_letter(vhost_url, "broken"))
    asyncio.run(dead_letter(vhost_url, "broken too"))
    assert asyncio.run(settle(vhost_url, "ingest.extract", None, retry=False)) == 2
    assert asyncio.run(list_dead_letters(vhost_url)) == []
    assert asyncio.run(queue_depth(vhost_url, EXTRACT.queue_name)) == 0


def test_the_cli_lists_dead_letters_with_their_reason(vhost_url):
    asyncio.run(dead_letter(vhost_url, "the chart is unreadable"))
    result = subprocess.run([sys.executable, "-m", "services.cli", "dlq", "list"],
                            env={"CHHUB_BROKER_URL": vhost_url, "PATH": "/usr/bin:/bin"},
                            capture_output=True, text=True, check=True)
    assert "ingest.extract" in result.stdout and "the chart is unreadable" in result.stdout
