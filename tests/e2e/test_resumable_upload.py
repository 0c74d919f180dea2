"""An upload cut off half-way resumes from where the server stopped and completes, without
sending the first half again."""

from __future__ import annotations

import base64
import os

import httpx
import pytest

from tests.support.songs import song_files, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"
CHUNK = "application/offset+octet-stream"


class ConnectionDropped(Exception):
    pass


def start(stack, token: str, data: bytes, name: str) -> str:
    response = httpx.post(f"{stack.gateway_url}/api/uploads/resumable", headers={
        "Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0",
        "Upload-Length": str(len(data)),
        "Upload-Metadata": f"filename {base64.b64encode(name.encode()).decode()}"})
    assert response.status_code == 201, response.text
    return stack.gateway_url + response.headers["Location"]


def offset_of(url: str, token: str) -> int:
    response = httpx.head(url, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    return int(response.headers["Upload-Offset"])


def append(url: str, token: str, offset: int, body) -> httpx.Response:
    return httpx.patch(url, content=body, timeout=60, headers={
        "Authorization": f"Bearer {token}", "Content-Type": CHUNK, "Tus-Resumable": "1.0.0",
        "Upload-Offset": str(offset)})


def test_an_upload_cut_off_half_way_resumes_and_completes(stack, admin_token, corpus, unique):
    data = zip_bytes(song_files(corpus / AMAZING, unique, **{"guitar.ogg": os.urandom(4 << 20)}))
    half = len(data) // 2
    url = start(stack, admin_token, data, "resumed.zip")
    sent = 0

    first = append(url, admin_token, 0, data[:half])
    sent += half
    assert first.status_code == 204 and first.headers["Upload-Offset"] == str(half)

    def dropping_connection():
        nonlocal sent
        yield data[half:half + 65536]
        sent += 65536
        raise ConnectionDropped

    with pytest.raises((ConnectionDropped, httpx.TransportError)):
        append(url, admin_token, half, dropping_connection())
    assert offset_of(url, admin_token) == half, "the cut-off piece is not kept"

    last = append(url, admin_token, half, data[half:])
    sent += len(data) - half
    assert last.status_code == 204 and last.headers["Upload-Offset"] == str(len(data))
    assert sent == len(data) + 65536, "the first half was sent once"

    upload_id = url.rsplit("/", 1)[-1]
    details = wait_for_upload(stack, upload_id)
    assert details["state"] == "completed", details
    assert [song["stage"] for song in details["songs"]] == ["published"]


def test_bytes_at_the_wrong_offset_are_refused(stack, admin_token):
    url = start(stack, admin_token, b"x" * 100, "wrong.zip")
    response = append(url, admin_token, 50, b"x" * 50)
    assert response.status_code == 409
    assert "continues at byte 0" in response.json()["error"]


def test_more_bytes_than_announced_are_refused(stack, admin_token):
    url = start(stack, admin_token, b"x" * 10, "short.zip")
    assert append(url, admin_token, 0, b"x" * 20).status_code == 413


def test_a_resumable_upload_needs_an_uploader(stack):
    response = httpx.post(f"{stack.gateway_url}/api/uploads/resumable",
                          headers={"Upload-Length": "10"})
    assert response.status_code == 401
