"""A service started while the broker, the database or the object store is down stays up,
says what it waits for, and does its work once that dependency is back."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import httpx
import pytest

from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes
from tests.support.stack import free_port, stop
from tests.support.tcp_gate import TcpGate

AMAZING = "donnaken15-charts/Amazing"
SETTING = {"broker": "CHHUB_BROKER_URL", "database": "CHHUB_DATABASE_URL",
           "object_store": "CHHUB_S3_ENDPOINT"}
# Longer than a service once took to give up on a missing broker (2.5 s), and than the test
# stack's retries of a message (0.5 + 2 + 4 s) before it is dead-lettered.
DOWN_SECONDS = 9.0


def waiting_lines(log: str, dependency: str) -> list[dict]:
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    return [line for line in lines
            if line.get("event") == "dependency.waiting" and line["dependency"] == dependency]


@pytest.mark.parametrize("service,dependency", [("catalog", "broker"),
                                                ("catalog", "database"),
                                                ("ingest", "object_store"),
                                                ("sync", "broker")])
def test_a_service_started_while_a_dependency_is_down_waits_and_then_does_its_work(
        stack, admin_token, corpus, unique, service, dependency):
    setting = SETTING[dependency]
    with TcpGate.before(stack.env[setting]) as gate:
        try:
            logged = len(stack.log_of(service))
            stack.restart(service, **{setting: gate.url(stack.env[setting])})
            upload_id = upload(stack, admin_token, zip_bytes(song_files(corpus / AMAZING, unique)),
                               "waiting.zip")
            down_until = time.monotonic() + DOWN_SECONDS
            deadline = time.monotonic() + 60
            while not waiting_lines(stack.log_of(service)[logged:], dependency):
                assert stack.processes[service].poll() is None, f"{service} gave up waiting"
                assert time.monotonic() < deadline, f"{service} never said it waits"
                time.sleep(0.2)
            time.sleep(max(0.0, down_until - time.monotonic()))
            assert stack.processes[service].poll() is None, f"{service} gave up waiting"
            waiting = waiting_lines(stack.log_of(service)[logged:], dependency)
            assert len(waiting) == 1, "one line per interval, not one per attempt"
            gate.open()
            details = wait_for_upload(stack, upload_id, timeout=120)
            assert details["state"] == "completed", details
            assert stack.processes[service].poll() is None
        finally:
            stack.restart(service)


def test_the_gateway_answers_health_while_it_waits_for_the_broker(stack):
    with TcpGate.before(stack.env["CHHUB_BROKER_URL"]) as gate:
        port = free_port()
        env = {**stack.env, "CHHUB_BROKER_URL": gate.url(stack.env["CHHUB_BROKER_URL"]),
               "CHHUB_GATEWAY_PORT": str(port), "CHHUB_METRICS_PORT": str(free_port())}
        log = (stack.workdir / "waiting-gateway.log").open("ab")
        gateway = subprocess.Popen([sys.executable, "-m", "services.cli", "run", "gateway"],
                                   env=env, cwd=stack.workdir, stdout=log,
                                   stderr=subprocess.STDOUT)
        try:
            waiting = health_when_answering(port, gateway)
            assert waiting.status_code == 503
            assert waiting.json()["status"].startswith("waiting for broker")
            assert "waiting_for" not in waiting.json()  # why, for admins only
            token = (stack.workdir / "admin-token").read_text().strip()
            detail = httpx.get(f"http://127.0.0.1:{port}/health", timeout=10,
                               headers={"Authorization": f"Bearer {token}"})
            assert "broker" in detail.json()["waiting_for"]
            time.sleep(4)
            assert gateway.poll() is None
            assert health_when_answering(port, gateway).status_code == 503
            gate.open()
            deadline = time.monotonic() + 60
            while health_when_answering(port, gateway).status_code != 200:
                assert time.monotonic() < deadline, "the gateway never became healthy"
                time.sleep(0.3)
        finally:
            stop(gateway)


def health_when_answering(port: int, process: subprocess.Popen,
                          timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the gateway exited with code {process.returncode}"
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=10)
        except httpx.TransportError:
            time.sleep(0.2)
    raise AssertionError("the gateway never answered")
