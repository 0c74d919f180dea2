"""`chhub run all` starts extra workers for the pipeline stages that take several."""

from __future__ import annotations

import json

import pytest

from services.workers import UnknownStage, commands, service_processes, workers_per_stage

SERVICES = ("gateway", "ingest", "catalog", "sync")


def test_ingest_stages_default_to_a_worker_per_core_and_the_rest_to_one():
    assert workers_per_stage({}, cpus=2) == {
        "ingest.unpack": 2, "ingest.extract": 2, "ingest.parse": 2,
        "catalog.catalog": 1, "sync.publish": 1}


def test_the_default_is_capped_and_a_stage_setting_wins():
    workers = workers_per_stage({"sync.publish": 3, "ingest.parse": 1}, cpus=64)
    assert workers["ingest.extract"] == 4
    assert workers["ingest.parse"] == 1
    assert workers["sync.publish"] == 3


def test_a_stage_that_does_not_exist_is_refused_by_name():
    with pytest.raises(UnknownStage, match=r"ingest\.extrakt"):
        workers_per_stage({"ingest.extrakt": 2})


def test_extra_workers_take_every_stage_that_wants_more_processes():
    workers = workers_per_stage({"ingest.extract": 3, "ingest.parse": 2, "ingest.unpack": 1})
    processes = service_processes(SERVICES, workers)
    assert processes["ingest"] == ("ingest", ())
    assert processes["ingest-2"] == ("ingest", ("ingest.extract", "ingest.parse"))
    assert processes["ingest-3"] == ("ingest", ("ingest.extract",))
    assert not any(name.startswith(("catalog-", "sync-", "gateway-")) for name in processes)


def test_a_workers_command_names_the_queues_it_alone_consumes():
    workers = workers_per_stage({"sync.publish": 2}, default_ingest=1)
    lines = commands(["chhub", "run"], SERVICES, workers)
    assert lines["sync"] == ["chhub", "run", "sync"]
    env, only, *rest = lines["sync-2"]
    assert (env, rest) == ("env", ["chhub", "run", "sync"])
    assert json.loads(only.split("=", 1)[1]) == ["sync.publish"]
    assert set(lines) == {*SERVICES, "sync-2"}
