"""Helpers of the operations tests: signed-in clients on their own address, form posts with
the CSRF token, and dead letters made by publishing to the dead-letter exchange."""

from __future__ import annotations

import asyncio
import time
import uuid

import aio_pika
import httpx

from shared.events import SongFound, UploadOrigin
from shared.topology import ATTEMPT_HEADER, DEAD, EXTRACT, REASON_HEADER

PASSWORD = "operations are go 42"
# Sign-ins from their own loopback address, so that the sign-in rate limit of other tests'
# sign-ins (and of the rate-limit test itself) never throttles these.
ADDRESS = "127.0.0.3"


def client_for(stack) -> httpx.Client:
    return httpx.Client(base_url=stack.gateway_url, timeout=30,
                        transport=httpx.HTTPTransport(local_address=ADDRESS))


def sign_in(stack, role: str) -> httpx.Client:
    name = f"ops-{role}-{uuid.uuid4().hex[:8]}"
    stack.chhub("admin", "create", "--username", name, "--password", PASSWORD, "--role", role)
    client = client_for(stack)
    client.get("/login")
    answer = client.post("/login", data={"username": name, "password": PASSWORD,
                                         "_csrf_token": client.cookies["csrftoken"]})
    assert answer.status_code == 303, answer.text
    return client


def form(client: httpx.Client, path: str, **fields: str) -> httpx.Response:
    return client.post(path, data={**fields, "_csrf_token": client.cookies["csrftoken"]})


async def _publish_dead_letter(url: str, reason: str) -> str:
    song_id = uuid.uuid4()
    event = SongFound(event_id=SongFound.id_for(song_id), upload_id=uuid.uuid4(),
                      song_id=song_id, folder="Song",
                      origin=UploadOrigin(bucket="nowhere", key="nothing", filename="f.zip"))
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange(DEAD.name)
        await exchange.publish(aio_pika.Message(
            event.model_dump_json().encode(), message_id=str(event.event_id),
            content_type="application/json", delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            headers={REASON_HEADER: reason, ATTEMPT_HEADER: 4}), routing_key=EXTRACT.queue_name)
    return str(event.event_id)


def dead_letter(stack, reason: str) -> str:
    return asyncio.run(_publish_dead_letter(stack.env["CHHUB_BROKER_URL"], reason))


def listed(client: httpx.Client, message_id: str) -> bool:
    letters = client.get("/api/operations/dead-letters").json()["items"]
    return any(letter["message_id"] == message_id for letter in letters)


def wait_for_letter(client: httpx.Client, message_id: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for letter in client.get("/api/operations/dead-letters").json()["items"]:
            if letter["message_id"] == message_id:
                return letter
        time.sleep(0.5)
    raise TimeoutError(f"{message_id} was not dead-lettered again")
