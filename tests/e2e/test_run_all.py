"""`chhub run all` keeps the system up: a killed service or S3 server comes back while the
others keep running, the restarts show on `/metrics` and the home page, a service that
cannot start stops everything with an error, and Ctrl-C stops it all."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from shared.persistence import db
from shared.supervision import read_status
from tests.support import stack as stack_module
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes
from tests.support.stack import Stack

AMAZING = "donnaken15-charts/Amazing"
SERVICES = {"gateway", "ingest", "catalog", "sync", "search"}


@pytest.fixture
def system(tmp_path: Path, s3_server: str):
    """The environment of a `chhub run all` with a database and virtual host of its own (the
    session's services must not take its messages)."""
    name = f"{stack_module.TEST_DATABASE}_{tmp_path.name[-20:].replace('-', '_')}"
    vhost = f"{stack_module.TEST_VHOST}-{tmp_path.name[-20:]}"
    env = stack_module.stack_env(tmp_path, database=stack_module.database_url(name),
                                 broker=stack_module.fresh_vhost(vhost), s3_endpoint=s3_server)
    yield Stack(env, tmp_path)
    stack_module.drop_vhost(vhost)
    db.drop_database(stack_module.database_url(name))


def run_all(system: Stack) -> subprocess.Popen:
    """In a process group of its own, as at a terminal: Ctrl-C reaches the whole group."""
    log = (system.workdir / "run-all.log").open("ab")
    return subprocess.Popen([sys.executable, "-m", "services.cli", "run", "all"], env=system.env,
                            cwd=system.workdir, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def output_of(system: Stack) -> str:
    return (system.workdir / "run-all.log").read_text(errors="replace")


def status_file(system: Stack) -> Path:
    return Path(system.env["CHHUB_DATA_DIR"]).resolve() / "supervisor.json"


def running(system: Stack, names: set[str], timeout: float = 180) -> dict[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = {child.name: child.pid for child in read_status(status_file(system))}
        if all(found.get(name) for name in names):
            return {name: found[name] for name in names}
        time.sleep(0.2)
    raise AssertionError(f"{names} never all ran")


def gone(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"
    except OSError:
        return True


def gateway_metrics_url(system: Stack) -> str:
    """The gateway serves its metrics on a listener of its own, apart from its public port;
    where, its latest start logged."""
    served = [json.loads(line) for line in output_of(system).splitlines()
              if '"metrics.serving"' in line and '"gateway"' in line]
    return f"http://{served[-1]['host']}:{served[-1]['port']}/metrics"


def restarts_served(system: Stack) -> dict[str, float]:
    text = httpx.get(gateway_metrics_url(system), timeout=10).text
    return {sample.labels["child"]: sample.value
            for family in text_string_to_metric_families(text)
            if family.name == "chhub_supervisor_restarts" for sample in family.samples
            if sample.name == "chhub_supervisor_restarts_total"}


def library_finds(system: Stack, token: str, text: str, timeout: float = 30) -> bool:
    """Whether a library search for `text` finds a song before `timeout` (the search index
    follows the catalog within a second)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = httpx.get(f"{system.gateway_url}/api/library", params={"q": text},
                           headers={"Authorization": f"Bearer {token}"}, timeout=30)
        if answer.status_code == 200 and answer.json()["total"]:
            return True
        time.sleep(0.3)
    return False


def test_a_killed_service_and_s3_server_come_back_and_ctrl_c_stops_everything(
        system, corpus, unique):
    system.env.pop("CHHUB_S3_ENDPOINT")  # the embedded S3 server, supervised too
    system.env["CHHUB_EMBEDDED_S3_PORT"] = str(stack_module.free_s3_port())
    system.env["CHHUB_SYNCTHING_URL"] = "http://127.0.0.1:9"  # none: not this test's subject
    system.env["CHHUB_SYNCTHING_TIMEOUT_SECONDS"] = "1"
    everything = run_all(system)
    try:
        before = running(system, SERVICES | {"s3"})
        system.wait_for_gateway()
        killed = ("catalog", "s3", "search")
        for child in killed:
            os.kill(before[child], signal.SIGKILL)
        deadline = time.monotonic() + 120
        after = before
        while any(after[child] == before[child] for child in killed):
            assert time.monotonic() < deadline, "the killed children never came back"
            after = running(system, SERVICES | {"s3"})
        assert {n: after[n] for n in ("gateway", "ingest", "sync")} == \
            {n: before[n] for n in ("gateway", "ingest", "sync")}
        served = restarts_served(system)
        assert {name: served[name] for name in SERVICES | {"s3"}} == {
            "s3": 1, "gateway": 0, "ingest": 0, "catalog": 1, "sync": 0, "search": 1}
        home = httpx.get(system.gateway_url + "/", timeout=30).text
        assert "catalog: 1 restart<" in home and "s3: 1 restart<" in home
        token = (system.workdir / "admin-token").read_text().strip()
        files = song_files(corpus / AMAZING, unique)
        details = wait_for_upload(system, upload(system, token, zip_bytes(files), "after.zip"),
                                  timeout=180)
        assert details["state"] == "completed", details
        assert library_finds(system, token, "Amazing")  # from the search service it started
    finally:
        os.killpg(everything.pid, signal.SIGINT)
        everything.wait(timeout=90)
    output = output_of(system)
    assert everything.returncode == 0, output[-3000:]
    assert all(gone(pid) for pid in after.values())
    assert "supervisor.child_exited" in output


def test_a_service_that_cannot_start_stops_everything_with_an_error(system):
    system.env["CHHUB_SYNCTHING_URL"] = "http://127.0.0.1:9"
    with socket.socket() as taken:  # the gateway's port: it fails at each start
        taken.bind(("127.0.0.1", int(system.env["CHHUB_GATEWAY_PORT"])))
        taken.listen()
        everything = run_all(system)
        try:
            workers = running(system, SERVICES - {"gateway"})
            everything.wait(timeout=240)
        finally:
            if everything.poll() is None:
                os.killpg(everything.pid, signal.SIGINT)
                everything.wait(timeout=90)
    output = output_of(system)
    assert everything.returncode == 1, output[-3000:]
    assert "gateway crashed 5 times in a row" in output
    assert "giving up and stopping everything" in output
    assert all(gone(pid) for pid in workers.values())
