"""Failed sign-ins back off per account and address, and per account alone: a forged
`X-Forwarded-For` resets nothing, a proxy's visitors do not lock each other out, and the
forwarded address is believed only from a configured proxy."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from tests.support.stack import free_port, stop

PASSWORD = "sign-in limits hold 7"
PROXY = "127.0.0.6"  # the one peer the second gateway believes


def client_at(url: str, address: str) -> httpx.Client:
    """A client whose requests come from `address` (any 127.x address reaches loopback)."""
    return httpx.Client(base_url=url, timeout=30,
                        transport=httpx.HTTPTransport(local_address=address))


def attempt(client: httpx.Client, username: str, password: str = "wrong-password",
            forwarded_for: str | None = None) -> int:
    if "csrftoken" not in client.cookies:
        client.get("/login")
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else None
    return client.post("/login", headers=headers, data={
        "username": username, "password": password,
        "_csrf_token": client.cookies["csrftoken"]}).status_code


@pytest.fixture
def account(stack) -> str:
    name = f"limit-{uuid.uuid4().hex[:8]}"
    stack.chhub("admin", "create", "--username", name, "--password", PASSWORD, "--role",
                "viewer")
    return name


@pytest.fixture(scope="module")
def behind_proxy(stack) -> Iterator[str]:
    """A second gateway that believes the forwarded headers of PROXY only."""
    port = free_port()
    env = {**stack.env, "CHHUB_GATEWAY_PORT": str(port), "CHHUB_TRUSTED_PROXIES": PROXY,
           "CHHUB_METRICS_PORT": str(free_port())}
    log = (stack.workdir / "gateway-behind-proxy.log").open("ab")
    process = subprocess.Popen([sys.executable, "-m", "services.cli", "run", "gateway"],
                               env=env, cwd=stack.workdir, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None and time.monotonic() < deadline, "no second gateway"
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        yield url
    finally:
        stop(process)


def test_a_forged_forwarded_for_does_not_reset_the_limit(stack, account):
    with client_at(stack.gateway_url, "127.0.0.1") as client:
        codes = [attempt(client, account, forwarded_for=f"203.0.113.{n}") for n in range(7)]
    assert codes[:5] == [401] * 5
    assert codes[5:] == [429, 429]


def test_one_failing_account_does_not_lock_out_another_from_the_same_address(stack, account):
    with client_at(stack.gateway_url, "127.0.0.3") as shared_address:
        failing = f"nobody-{uuid.uuid4().hex[:8]}"
        assert [attempt(shared_address, failing) for _ in range(6)][-1] == 429
        assert attempt(shared_address, account, PASSWORD) == 303


def test_a_failing_account_backs_off_whatever_the_address(stack, account):
    # Ten failures, none of them past the limit of its own address.
    for address, tries in (("127.0.0.4", 4), ("127.0.0.5", 4), ("127.0.0.7", 2)):
        with client_at(stack.gateway_url, address) as client:
            assert [attempt(client, account) for _ in range(tries)] == [401] * tries
    with client_at(stack.gateway_url, "127.0.0.8") as elsewhere:
        response_code = attempt(elsewhere, account, PASSWORD)
    assert response_code == 429  # even the right password waits


def test_behind_a_trusted_proxy_each_visitor_has_a_limit_of_their_own(behind_proxy, account):
    with client_at(behind_proxy, PROXY) as proxy:
        guesser = [attempt(proxy, account, forwarded_for="198.51.100.1") for _ in range(6)]
        assert guesser[-1] == 429
        assert attempt(proxy, account, PASSWORD, forwarded_for="198.51.100.2") == 303


def test_forwarded_headers_from_a_peer_that_is_not_the_proxy_are_ignored(behind_proxy,
                                                                         account):
    with client_at(behind_proxy, "127.0.0.9") as stranger:
        codes = [attempt(stranger, account, forwarded_for=f"198.51.100.{n}") for n in range(6)]
    assert codes[-1] == 429
