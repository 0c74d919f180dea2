"""Faults in the middle of a batch of uploads from several clients: a service killed, the
broker's connections cut, the database's backends cut, the object store killed, a child of
`chhub run all` killed. Each accepted upload completes once, nothing is left unfinished or
doubled, and every service runs at the end with no hand but the restart that a process
manager (or `chhub run all`'s supervisor) gives a killed process."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable

import pytest

from tests.support import stack as stack_module
from tests.support.fault_batch import (
    Clients,
    Outcome,
    assert_whole,
    batch_songs,
    database_now,
    measure,
    settle,
)
from tests.support.faults import FaultStack, fault_stack

SONGS, CLIENTS = 8, 3


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory):
    with fault_stack(tmp_path_factory.mktemp("faults"), "faults") as running:
        yield running


@pytest.fixture(scope="module")
def token(faults: FaultStack) -> str:
    return (faults.stack.workdir / "admin-token").read_text().strip()


@pytest.fixture
def scenario(faults, token, corpus, unique, tmp_path_factory):
    """Runs a batch through `fault` (struck once a third of the batch was accepted), waits
    for it to settle, and reports its figures on one line (shown by `pytest -s`, and added
    to fault-summary.txt in the run's temporary folder)."""

    def run(name: str, fault: Callable[[], None],
            processes: Callable[[], dict[str, int]] | None = None) -> Outcome:
        """`processes`: the pid of each service process (by default those the test runs)."""
        if processes is None:
            faults.heal()
            processes = faults.pids
        assert faults.wait_until_consuming() == [], "the stack is not up before the batch"
        songs = batch_songs(corpus, unique, SONGS)
        since, pids, retries = database_now(faults), processes(), faults.retries_logged()
        clients = Clients(faults, token, songs, clients=CLIENTS)
        clients.run(fault, after_accepted=SONGS // 3)
        unfinished = settle(faults, since)
        restarts = sum(pids.get(name) != pid for name, pid in processes().items())
        outcome = measure(faults, name, songs, clients.sent, since, unfinished, restarts,
                          faults.retries_logged() - retries)
        print("\n" + outcome.line())
        with (tmp_path_factory.getbasetemp() / "fault-summary.txt").open("a") as summary:
            summary.write(outcome.line() + "\n")
        return outcome

    return run


@pytest.mark.parametrize("service,holding", [("gateway", None), ("ingest", "ingest.extract"),
                                             ("catalog", "catalog.catalog"),
                                             ("sync", "sync.publish")])
def test_a_service_killed_mid_batch_and_restarted_loses_and_doubles_no_upload(
        faults, scenario, service, holding):
    """A consumer is killed while it holds a message of its stage (its log says so)."""
    outcome = scenario(f"kill -9 {service}",
                       lambda: faults.kill_and_restart(service, holding=holding))
    assert_whole(outcome)
    assert outcome.restarts == 1


def test_the_services_reconnect_on_their_own_after_the_broker_closed_their_connections(
        faults, scenario):
    closed: list[int] = []
    outcome = scenario("broker connections closed twice",
                       lambda: closed.extend(faults.cut_broker_connections(times=2)))
    assert closed[0] >= len(stack_module.SERVICES), closed
    assert_whole(outcome)
    assert outcome.restarts == 0


def test_the_services_carry_on_after_the_database_ended_their_connections_for_seconds(
        faults, scenario):
    terminated: list[int] = []
    outcome = scenario("database backends terminated for 4 s",
                       lambda: terminated.append(faults.cut_database_backends(for_seconds=4)))
    assert terminated[0] >= len(stack_module.SERVICES)
    assert_whole(outcome)
    assert outcome.restarts == 0


def test_the_services_carry_on_after_the_object_store_was_killed_and_started_again(
        faults, scenario):
    outcome = scenario("S3 server killed for 6 s", lambda: faults.restart_s3(down_seconds=6))
    assert_whole(outcome)
    assert outcome.restarts == 0


@pytest.fixture(scope="module")
def everything(faults: FaultStack):
    """`chhub run all` on the module's stack, for the scenarios that come last."""
    with faults.run_all() as process:
        faults.stack.wait_for_gateway(timeout=180)
        yield process


@pytest.mark.parametrize("child", ["sync", "gateway"])
def test_chhub_run_all_restarts_a_child_killed_mid_batch_and_the_others_keep_running(
        faults, everything, scenario, child):
    before = running_children(faults)
    restarted_before = faults.supervised()[child].restarts
    outcome = scenario(f"kill -9 {child} under chhub run all",
                       lambda: os.kill(before[child], signal.SIGKILL),
                       processes=lambda: running_children(faults))
    after = running_children(faults)
    assert everything.poll() is None
    assert_whole(outcome)
    assert outcome.restarts == 1
    assert faults.supervised()[child].restarts == restarted_before + 1
    assert after[child] != before[child]
    assert {n: pid for n, pid in after.items() if n != child} == \
        {n: pid for n, pid in before.items() if n != child}


def running_children(faults: FaultStack, timeout: float = 120) -> dict[str, int]:
    """The pid of each child of `chhub run all`, once each service has one running."""
    deadline = time.monotonic() + timeout
    while True:
        children = faults.supervised()
        if set(stack_module.SERVICES) <= set(children) and all(
                c.state == "running" for c in children.values()):
            return {name: child.pid for name, child in children.items()}
        assert time.monotonic() < deadline, f"not every child runs: {children}"
        time.sleep(0.2)

