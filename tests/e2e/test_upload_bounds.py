"""The custom content upload pages keep the gateway's memory bounded: a huge form field is
refused as it streams in, and a form without its file is a 400 with a reason."""

from __future__ import annotations

import html
import re
import select
import socket
import uuid
from pathlib import Path

import httpx
import pytest

from tests.support.stack import Stack

FIELD_BYTES = 128 * 1024**2
CHUNK = 256 * 1024


def reset_peak_rss(pid: int) -> int:
    """Start counting the process's peak memory (VmHWM) afresh; its memory now."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return peak_rss(pid)


def peak_rss(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) * 1024


def post_streaming(port: int, path: str, token: str, boundary: str, parts) -> tuple[int, str]:
    """POST a multipart body of unknown length piece by piece, reading the answer as soon as the
    server gives one (it may refuse long before the body ends)."""
    head = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Authorization: Bearer {token}\r\nTransfer-Encoding: chunked\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            "Connection: close\r\n\r\n").encode()
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=120) as connection:
        connection.sendall(head)
        try:
            for part in parts:
                if select.select([connection], [], [], 0)[0]:
                    break  # the server has answered
                connection.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
            else:
                connection.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except ConnectionResetError:
            pass  # the server closed on the body it refused to read; its answer came first
    assert answer, "the server reset the connection without an answer"
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.decode(errors="replace")


def huge_plain_field(boundary: str):
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\n").encode()
    for _ in range(FIELD_BYTES // CHUNK):
        yield b"n" * CHUNK
    yield (f"\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
           f"filename=\"bg.png\"\r\nContent-Type: image/png\r\n\r\npng\r\n--{boundary}--\r\n"
           ).encode()


def test_a_128_mb_form_field_is_refused_while_the_gateway_memory_stays_bounded(
        stack: Stack, admin_token):
    pid = stack.processes["gateway"].pid
    port = int(stack.env["CHHUB_GATEWAY_PORT"])
    boundary = uuid.uuid4().hex
    before = reset_peak_rss(pid)

    status, text = post_streaming(port, "/backgrounds", admin_token, boundary,
                                  huge_plain_field(boundary))

    grown = peak_rss(pid) - before
    assert status == 413, text[-2000:]
    assert "A form field other than a file is larger than 64 KiB." in html.unescape(text)
    assert grown < FIELD_BYTES // 8, f"peak RSS grew by {grown / 1024**2:.0f} MB"
    assert httpx.get(f"{stack.gateway_url}/health", timeout=30).status_code == 200


@pytest.mark.parametrize(("parts", "reason"), [
    ('name="note"\r\n\r\nno file here', "The request holds no file."),
    ('name="file"; filename=""\r\nContent-Type: application/octet-stream\r\n\r\n',
     "Choose a file to upload."),
])
def test_a_custom_upload_without_its_file_is_a_400_with_the_reason(stack, admin_token, parts,
                                                                   reason):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; {parts}\r\n--{boundary}--\r\n")
    answer = httpx.post(f"{stack.gateway_url}/colors", content=body.encode(), headers={
        "Authorization": f"Bearer {admin_token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert answer.status_code == 400, answer.text
    assert reason in html.unescape(answer.text)
