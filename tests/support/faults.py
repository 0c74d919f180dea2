"""Faults for end-to-end tests: a stack of its own (database, virtual host, S3 server and
service processes) that a test may hurt, and the hurts: a process killed, the broker's
connections or the database's backends cut, the object store killed and started again."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from shared.supervision import ChildStatus, read_status, status_path
from shared.topology import ALL_CONSUMERS
from tests.support import stack as stack_module
from tests.support.stack import Stack

# Retries outlast an object store that is away for half a minute, and a half-received upload
# (its gateway killed) is swept within seconds: the faults below heal well inside them.
FAULT_SETTINGS = {
    "CHHUB_RETRY_DELAYS_SECONDS": "[0.5, 1, 2, 4, 8, 16, 30]",
    "CHHUB_RECEIVING_TIMEOUT_SECONDS": "6",
}
# Syncthing is not what these faults are about, and `chhub run all` would start its own on
# fixed ports that another run may hold.
NO_SYNCTHING = {"CHHUB_SYNCTHING_URL": "http://127.0.0.1:9", "CHHUB_SYNCTHING_TIMEOUT_SECONDS": "1"}


@dataclass
class FaultStack:
    """A running stack that belongs to one test module, so hurting it hurts no other test."""

    stack: Stack
    database: str
    vhost: str
    s3_dir: Path
    s3_port: int
    s3: subprocess.Popen
    catalog: Engine

    def heal(self) -> None:
        """Start every service process that is not running (after a failed scenario)."""
        for service in stack_module.SERVICES:
            process = self.stack.processes.get(service)
            if process is None or process.poll() is not None:
                self.stack.processes.pop(service, None)
                self.stack.start(service)

    def pids(self) -> dict[str, int]:
        return {name: process.pid for name, process in self.stack.processes.items()}

    def retries_logged(self) -> int:
        """Messages put back for a later attempt so far, by every service process."""
        return sum(log.read_text(errors="replace").count("message.retrying")
                   for log in self.stack.workdir.glob("*.log"))

    def dead(self) -> list[str]:
        return sorted(name for name, process in self.stack.processes.items()
                      if process.poll() is not None)

    def kill_and_restart(self, service: str, down_seconds: float = 1.0,
                         holding: str | None = None) -> None:
        """kill -9 `service` (once it holds a message of the queue `holding`, when given),
        then start it again as a process manager would."""
        if holding is not None:
            self._wait_until_holding(service, holding)
        self.stack.kill(service)
        time.sleep(down_seconds)
        self.stack.start(service)

    def _wait_until_holding(self, service: str, queue: str, timeout: float = 60) -> None:
        """Until the service's log shows a message of `queue` received and not processed."""
        received = re.compile(rf"\| {re.escape(queue)} +\| (\S+) - (Received|Processed)")
        path, holding = self.stack.workdir / f"{service}.log", set()
        offset = path.stat().st_size  # what an earlier process held is no concern
        deadline = time.monotonic() + timeout
        while not holding:
            assert time.monotonic() < deadline, f"{service} got no message of {queue}"
            with path.open("rb") as log:
                log.seek(offset)
                lines = log.read().split(b"\n")[:-1]  # whole lines only
            offset += sum(len(line) + 1 for line in lines)
            for line in lines:
                for message, what in received.findall(line.decode(errors="replace")):
                    (holding.add if what == "Received" else holding.discard)(message)
            time.sleep(0.005)

    def cut_broker_connections(self, times: int = 2, apart_seconds: float = 3.0,
                               holding: tuple[str, str] | None = None) -> list[int]:
        """Close every connection to the stack's virtual host, `times` times, the first time
        once the service `holding[0]` holds a message of the queue `holding[1]`, when given;
        how many the broker closed each time."""
        if holding is not None:
            self._wait_until_holding(*holding)
        closed = []
        for round_ in range(times):
            if round_:
                time.sleep(apart_seconds)
            result = subprocess.run(
                ["rabbitmqctl", "close_all_connections", "--vhost", self.vhost, "fault test"],
                check=True, capture_output=True, text=True)
            closed.append(int(result.stdout.rsplit("Closed", 1)[1].split()[0]))
        return closed

    def wait_until_consuming(self, timeout: float = 120) -> list[str]:
        return wait_until_consuming(self.vhost, timeout)

    def cut_database_backends(self, for_seconds: float = 4.0, every_seconds: float = 0.05) -> int:
        """Terminate every backend of the stack's database again and again for a while; how
        many were terminated in all."""
        admin = create_engine(stack_module.database_url("postgres"), isolation_level="AUTOCOMMIT")
        terminated = 0
        deadline = time.monotonic() + for_seconds
        try:
            with admin.connect() as connection:
                while time.monotonic() < deadline:
                    terminated += connection.execute(text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = :name AND pid <> pg_backend_pid()"),
                        {"name": self.database}).scalar_one()
                    time.sleep(every_seconds)
        finally:
            admin.dispose()
        return terminated

    @contextmanager
    def run_all(self) -> Iterator[subprocess.Popen]:
        """The services under `chhub run all` (on this stack's S3 server) instead of one by
        one; they are started one by one again afterwards by `heal`."""
        self.stack.stop_all()
        env = {**self.stack.env, **NO_SYNCTHING}
        with (self.stack.workdir / "run-all.log").open("ab") as log:
            everything = subprocess.Popen(
                [sys.executable, "-m", "services.cli", "run", "all"], env=env,
                cwd=self.stack.workdir, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True)
        try:
            yield everything
        finally:
            stack_module.stop(everything, timeout=60)

    def supervised(self) -> dict[str, ChildStatus]:
        """The children of the running `chhub run all`, by name."""
        path = status_path(Path(self.stack.env["CHHUB_DATA_DIR"]).resolve())
        return {child.name: child for child in read_status(path)}

    def restart_s3(self, down_seconds: float = 6.0) -> None:
        """kill -9 the S3 server, and start it again on the same port and data after a while."""
        os.killpg(self.s3.pid, signal.SIGKILL)
        self.s3.wait(timeout=30)
        time.sleep(down_seconds)
        self.s3 = stack_module.start_s3(self.s3_dir, self.s3_port)


@contextmanager
def fault_stack(workdir: Path, name: str) -> Iterator[FaultStack]:
    """A fresh database, virtual host and S3 server named after `name`, and every service."""
    database = f"{stack_module.TEST_DATABASE}_{name}"
    vhost = f"{stack_module.TEST_VHOST}-{name}"
    database_url = stack_module.fresh_database(database)
    broker_url = stack_module.fresh_vhost(vhost)
    s3_dir, s3_port = workdir / "s3", stack_module.free_s3_port()
    s3 = stack_module.start_s3(s3_dir, s3_port)
    env = {**stack_module.stack_env(workdir, database=database_url, broker=broker_url,
                                    s3_endpoint=f"127.0.0.1:{s3_port}"), **FAULT_SETTINGS}
    running = Stack(env, workdir)
    faults = FaultStack(running, database, vhost, s3_dir, s3_port, s3,
                        create_engine(database_url, pool_pre_ping=True))
    try:
        running.chhub("setup")
        faults.heal()
        yield faults
    finally:
        running.stop_all()
        stack_module.stop(faults.s3)
        faults.catalog.dispose()
        stack_module.drop_vhost(vhost)
        stack_module.drop_database(database)


def queues_without_consumer(vhost: str) -> list[str]:
    result = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", vhost,
                             "--no-table-headers", "name", "consumers"],
                            check=True, capture_output=True, text=True)
    consumers = dict(line.split() for line in result.stdout.splitlines() if line.strip())
    return sorted(c.queue_name for c in ALL_CONSUMERS if int(consumers.get(c.queue_name, 0)) == 0)


def wait_until_consuming(vhost: str, timeout: float = 120) -> list[str]:
    """Until every queue of the pipeline on `vhost` has a consumer (each service is past its
    start, connected); the queues that still have none then."""
    deadline = time.monotonic() + timeout
    while (missing := queues_without_consumer(vhost)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return missing


def pipeline_backlog(vhost: str) -> int:
    """Messages waiting or in hand in the pipeline's own queues on `vhost` (retry and
    dead-letter queues left out)."""
    result = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", vhost,
                             "--no-table-headers", "name", "messages"],
                            check=True, capture_output=True, text=True)
    depths = dict(line.split() for line in result.stdout.splitlines() if line.strip())
    return sum(int(depths.get(c.queue_name, 0)) for c in ALL_CONSUMERS)


def wait_until_idle(vhost: str, timeout: float = 300) -> int:
    """Until the pipeline has worked off what earlier work left in its queues; what is still
    there then."""
    deadline = time.monotonic() + timeout
    while (backlog := pipeline_backlog(vhost)) and time.monotonic() < deadline:
        time.sleep(0.5)
    return backlog


def set_connections_allowed(database_url: str, allowed: bool) -> None:
    """Let the database take connections again, or refuse them and end every one it has."""
    name = make_url(database_url).database
    admin = create_engine(make_url(database_url).set(database="postgres"),
                          isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        allow = "true" if allowed else "false"
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {allow}'))
        if not allowed:
            connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = :name"), {"name": name})
    admin.dispose()
