"""The real services tests talk to: a fresh PostgreSQL database, a fresh RabbitMQ virtual host,
a SeaweedFS S3 server, and the service processes, each started once per test session."""

from __future__ import annotations

import ctypes
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import Engine, create_engine

from services import embedded_s3
from shared.persistence import db

ROOT = Path(__file__).resolve().parents[2]
# Every test session has its own database, virtual host and ports, so that several sessions
# (and a developer's `make run`) can run side by side.
SESSION = os.getpid()
TEST_DATABASE = f"chhub_test_{SESSION}"
TEST_VHOST = f"chhub-test-{SESSION}"
ACCESS_KEY, SECRET_KEY = "chhub-test", "chhub-test-secret"
SERVICES = ("gateway", "ingest", "catalog", "sync")


def database_url(name: str = TEST_DATABASE) -> str:
    return f"postgresql+psycopg2://postgres@127.0.0.1:5432/{name}"


def fresh_database(name: str = TEST_DATABASE) -> str:
    url = database_url(name)
    db.drop_database(url)
    db.create_database(url)
    db.upgrade(url)
    return url


@contextmanager
def database_at(revision: str, name: str) -> Iterator[tuple[str, Engine]]:
    """A scratch database `name`, migrated up to `revision` (a migration test then writes the
    rows it starts from and upgrades), with an engine; dropped afterwards."""
    url = database_url(name)
    db.drop_database(url)
    db.create_database(url)
    engine = create_engine(url)
    try:
        db.upgrade(url, revision)
        yield url, engine
    finally:
        engine.dispose()
        db.drop_database(url)


def drop_database(name: str = TEST_DATABASE) -> None:
    db.drop_database(database_url(name))


def drop_vhost(name: str = TEST_VHOST) -> None:
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], capture_output=True)


def fresh_vhost(name: str = TEST_VHOST) -> str:
    """A new, empty RabbitMQ virtual host, so no queue of an earlier run is reused."""
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*", ".*"],
                   check=True, capture_output=True)
    return f"amqp://guest:guest@127.0.0.1:5672/{name}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free_s3_port() -> int:
    """An S3 port whose derived SeaweedFS ports (see embedded_s3) are all free."""
    for offset in random.sample(range(100, 6000, 7), 200):
        port = 8333 + offset
        if all(_is_free(p) for p in embedded_s3.ports_for(port)):
            return port
    raise RuntimeError("no free ports for a test S3 server")


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def start_s3(data_dir: Path, port: int) -> subprocess.Popen:
    process = embedded_s3.start(data_dir, port, ACCESS_KEY, SECRET_KEY)
    embedded_s3.wait_until_ready(port, timeout=90, process=process)
    return process


def stop(process: subprocess.Popen, timeout: float = 20) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM) if _own_group(process) else process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _die_with_parent() -> None:
    """In a child about to start: be sent SIGTERM when the test run that started it ends, even
    when it is killed and no fixture's teardown runs."""
    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _own_group(process: subprocess.Popen) -> bool:
    try:
        return os.getpgid(process.pid) == process.pid
    except ProcessLookupError:
        return False


@dataclass
class Stack:
    """The environment of a running test system and its service processes."""

    env: dict[str, str]
    workdir: Path
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    log_starts: dict[str, int] = field(default_factory=dict)  # where each process's log began

    @property
    def content_dir(self) -> Path:
        return Path(self.env["CHHUB_CONTENT_DIR"])

    @property
    def staging_dir(self) -> Path:
        return Path(self.env["CHHUB_STAGING_DIR"])

    @property
    def gateway_url(self) -> str:
        return f"http://127.0.0.1:{self.env['CHHUB_GATEWAY_PORT']}"

    def chhub(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "services.cli", *args], env=self.env,
                                cwd=self.workdir, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise AssertionError(f"chhub {' '.join(args)} failed:\n{result.stderr[-3000:]}")
        return result

    def start(self, service: str, *, name: str | None = None, **extra_env: str) -> None:
        """Start `service`, known (and logged) as `name`: another name runs a second copy."""
        name = name or service
        log = (self.workdir / f"{name}.log").open("ab")
        self.log_starts[name] = log.tell()
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "run", service], env={**self.env, **extra_env},
            cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        if service == "gateway":
            self.wait_for_gateway()

    def start_search(self) -> None:
        """The search service, asked by every gateway started after it (as `chhub run all`
        runs them)."""
        url = self.env["CHHUB_SEARCH_URL"] = f"http://127.0.0.1:{self.env['CHHUB_SEARCH_PORT']}"
        self.start("search")
        self.wait_until_healthy("search", f"{url}/health", timeout=600)

    def kill(self, service: str, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(service)
        process.send_signal(sig)
        process.wait(timeout=30)

    def restart(self, service: str, **extra_env: str) -> None:
        """Stop `service` (if it still runs) and start it again with `extra_env`."""
        process = self.processes.pop(service, None)
        if process is not None:
            stop(process)
        self.start(service, **extra_env)

    def wait_until_started(self, name: str, timeout: float = 180) -> None:
        """Until the pipeline service last started as `name` consumes: past its wait for its
        dependencies, its consumers subscribed (as its own log says, since that start)."""
        deadline = time.monotonic() + timeout
        path = self.workdir / f"{name}.log"
        while time.monotonic() < deadline:
            with path.open("rb") as log:
                log.seek(self.log_starts.get(name, 0))
                if b"FastStream app started successfully" in log.read():
                    return
            if self.processes[name].poll() is not None:
                raise RuntimeError(f"{name} exited; see {path}")
            time.sleep(0.3)
        raise TimeoutError(f"{name} did not start consuming in {timeout:g} s; see {path}")

    def stop_all(self) -> None:
        for service in list(self.processes):
            stop(self.processes.pop(service))

    def wait_for_gateway(self, timeout: float = 180) -> None:
        self.wait_until_healthy("gateway", f"{self.gateway_url}/health", timeout)

    def wait_until_healthy(self, name: str, url: str, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            process = self.processes.get(name)
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{name} exited; see {self.workdir / f'{name}.log'}")
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise TimeoutError(f"{name} did not become healthy")

    def log_of(self, service: str) -> str:
        path = self.workdir / f"{service}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def stack_env(workdir: Path, *, database: str, broker: str, s3_endpoint: str,
              log_messages: bool = True) -> dict[str, str]:
    """The environment of a stack; `log_messages`: each message received and processed is
    logged (the tests read the log), as a bench, measuring the default, does not."""
    return {
        **os.environ,
        "CHHUB_DATABASE_URL": database,
        "CHHUB_BROKER_URL": broker,
        "CHHUB_S3_ENDPOINT": s3_endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "CHHUB_DATA_DIR": str(workdir / "data"),
        "CHHUB_CONTENT_DIR": str(workdir / "content"),
        "CHHUB_STAGING_DIR": str(workdir / "staging"),
        "CHHUB_GATEWAY_PORT": str(free_port()),
        "CHHUB_SEARCH_PORT": str(free_port()),  # for `chhub run all`'s search service
        "CHHUB_ADMIN_TOKEN_FILE": str(workdir / "admin-token"),
        "CHHUB_RETRY_DELAYS_SECONDS": "[0.5, 2, 4]",
        "CHHUB_BUCKET_SCAN_SECONDS": "1",
        "CHHUB_LOG_FORMAT": "json",
        "CHHUB_LOG_MESSAGES": "true" if log_messages else "false",
        "PYTHONUNBUFFERED": "1",
    }
