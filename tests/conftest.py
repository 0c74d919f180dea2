"""Session-wide fixtures: the real services every integration and end-to-end test talks to."""

from __future__ import annotations

import gc
import os
import uuid
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import create_engine

from tests.support import stack as stack_module
from tests.support.corpus import CORPUS
from tests.support.stack import Stack


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test belongs to the tier of its folder: unit, integration or e2e."""
    for item in items:
        tier = Path(str(item.fspath)).relative_to(Path(__file__).parent).parts[0]
        if tier in {"unit", "integration", "e2e"}:
            item.add_marker(getattr(pytest.mark, tier))


@pytest.fixture(autouse=True)
def earlier_garbage_collected_before_hypothesis(request: pytest.FixtureRequest) -> None:
    """Hypothesis parses a test's source (`ast.parse`) as it starts it. On CPython 3.11.7 a
    finalizer that formats a traceback meanwhile (an earlier test's pending asyncio task,
    collected just then, logs "Task was destroyed") breaks that parse's depth count and
    raises SystemError (cpython#106905): such garbage is collected before the test instead."""
    if any(_from_hypothesis(value) for value in vars(request.module).values()):
        gc.collect()


def _from_hypothesis(value: object) -> bool:
    name = value.__name__ if isinstance(value, ModuleType) else getattr(value, "__module__", "")
    return isinstance(name, str) and name.split(".")[0] == "hypothesis"


@pytest.fixture(scope="session")
def corpus() -> Path:
    charts = CORPUS / "charts"
    assert charts.is_dir(), f"the shared corpus is missing at {charts}"
    return charts


@pytest.fixture(scope="session")
def database_url():
    url = stack_module.fresh_database()
    yield url
    stack_module.drop_database()


@pytest.fixture(scope="session")
def broker_url():
    url = stack_module.fresh_vhost()
    yield url
    stack_module.drop_vhost()


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory):
    port = stack_module.free_s3_port()
    process = stack_module.start_s3(tmp_path_factory.mktemp("s3"), port)
    yield f"127.0.0.1:{port}"
    stack_module.stop(process)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, database_url: str, broker_url: str,
          s3_server: str):
    """Gateway, ingest, catalog and sync as separate processes, started once per session."""
    workdir = tmp_path_factory.mktemp("stack")
    running = Stack(stack_module.stack_env(workdir, database=database_url, broker=broker_url,
                                           s3_endpoint=s3_server), workdir)
    running.chhub("setup")
    for service in stack_module.SERVICES:
        running.start(service)
    yield running
    running.stop_all()


@pytest.fixture(scope="session")
def admin_token(stack: Stack) -> str:
    return (stack.workdir / "admin-token").read_text().strip()


@pytest.fixture(scope="session")
def s3(stack: Stack):
    """The uploads bucket's S3 server through boto3, a client of ours in nothing."""
    from tests.support.bucket import s3_client

    return s3_client(stack)


@pytest.fixture(scope="session")
def catalog(database_url: str):
    """An engine on the test database, for reading what the services wrote; it checks each
    pooled connection first, since a test cuts the services' connections on purpose."""
    engine = create_engine(database_url, pool_pre_ping=True)
    yield engine
    engine.dispose()


@pytest.fixture
def unique() -> str:
    """A short id unique to the test, for names and contents that must never collide."""
    return uuid.uuid4().hex[:12]


@pytest.fixture(autouse=True, scope="session")
def _quiet_env() -> None:
    os.environ.setdefault("CHHUB_LOG_FORMAT", "json")
