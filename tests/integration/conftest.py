"""Fixtures several integration modules share: sessions on the test database, a library
Syncthing and a rig Syncthing on loopback, the content folder the library shares, and its two
send-only folders."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.sync.content_folder import ContentFolder
from services.sync.sharing import ContentSharing
from shared.persistence.db import make_engine, make_sessions
from tests.support import syncthing as st


@pytest.fixture(scope="module")
def sessions(database_url):
    engine = make_engine(database_url)
    yield make_sessions(engine)
    engine.dispose()


@pytest.fixture(scope="module")
def workdir(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp(request.module.__name__.rpartition(".")[2])


@pytest.fixture(scope="module")
def library(workdir: Path):
    with st.running(workdir / "library-home", "library") as instance:
        yield instance


@pytest.fixture(scope="module")
def rig(workdir: Path):
    with st.running(workdir / "rig-home", "rig") as instance:
        yield instance


@pytest.fixture(scope="module")
def content(workdir: Path) -> ContentFolder:
    return ContentFolder(workdir / "content")


@pytest.fixture(scope="module")
def sharing(library: st.Instance, content: ContentFolder) -> ContentSharing:
    sharing = ContentSharing(library.rest, content.root)
    assert sharing.ensure_folders()
    return sharing
