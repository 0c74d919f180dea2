"""Each service loads at start only the libraries it uses: a library loaded for a feature the
service never runs (or runs rarely) costs its memory for the whole life of the process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

# The gateway receives archives but never opens them; it rates passwords only when one is set,
# talks to Redis only when sessions are kept there, reads images only when custom content
# arrives and asks Syncthing (over httpx) only when one is configured.
NOT_IN_GATEWAY = ("py7zr", "rarfile", "libarchive", "zxcvbn", "redis", "PIL", "httpx")
# Every service process starts through `chhub run`: the other commands' modules (and the
# archive, HTTP and audio libraries they load) stay out of it.
OTHER_COMMANDS = ("services.importer.command", "services.backup.command",
                  "services.catalog.replay_command", "services.ingest.generator.command",
                  "services.ingest.scan_command", "services.ingest.gc_command")
LAZY_COMMANDS = ("import", "scan", "gc", "replay", "reindex", "generate", "backup", "restore")


def loaded_after(code: str, candidates: tuple[str, ...]) -> list[str]:
    """Which of `candidates` a fresh interpreter has loaded once it has run `code`."""
    code += ("\nimport json, sys\n"
             f"print(json.dumps([m for m in {list(candidates)!r} if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout)


def loaded_after_import(module: str, candidates: tuple[str, ...]) -> list[str]:
    """Which of `candidates` a fresh interpreter has loaded once `module` is imported."""
    return loaded_after(f"import {module}", candidates)


def test_the_gateway_does_not_load_archive_password_redis_image_or_syncthing_libraries():
    """As its process loads it: the command line first, then the app."""
    assert loaded_after_import("services.cli, services.gateway.app",
                               NOT_IN_GATEWAY + OTHER_COMMANDS) == []


def test_a_gateway_asking_the_search_service_loads_neither_numpy_nor_the_index():
    code = ("from services.gateway.app import create_app\n"
            "from services.gateway.settings import GatewayServiceSettings\n"
            "create_app(GatewayServiceSettings(search_url='http://127.0.0.1:9'))")
    assert loaded_after(code, ("numpy", "shared.search.index", "shared.search.feed")) == []


def test_the_command_line_loads_no_other_command_for_the_service_it_runs():
    assert loaded_after_import("services.cli", OTHER_COMMANDS) == []


def test_every_command_is_still_listed_and_runs_when_named():
    from click.testing import CliRunner

    from services.cli import main

    listed = CliRunner().invoke(main, ["--help"])
    assert all(f"  {name} " in listed.output for name in LAZY_COMMANDS), listed.output
    for name in LAZY_COMMANDS:
        shown = CliRunner().invoke(main, [name, "--help"])
        assert shown.exit_code == 0 and "Usage:" in shown.output, (name, shown.output)


def test_the_gateways_server_loads_no_websocket_library(monkeypatch):
    """The gateway has no WebSocket route; uvicorn would load one anyway unless told."""
    from click.testing import CliRunner

    from services import cli

    served = {}
    monkeypatch.setattr("shared.native_heap.bound_native_heap", lambda: True)
    monkeypatch.setattr("shared.logs.configure_logging", lambda **_: None)
    monkeypatch.setattr("shared.observability.start_observability", lambda *_: None)
    monkeypatch.setattr("services.gateway.app.create_app", lambda settings: "app")
    monkeypatch.setattr("uvicorn.run", lambda app, **options: served.update(options))
    CliRunner().invoke(cli.main, ["run", "gateway"])
    assert served["ws"] == "none"


def test_the_password_rating_still_works_when_first_used():
    from services.gateway.users import weak_password

    assert weak_password("password123", "alice") is not None
    assert weak_password("correct horse battery staple glows", "alice") is None


def test_the_redis_stores_still_load_when_configured():
    from services.gateway.security import stores

    made = stores("redis://127.0.0.1:1/0")
    assert set(made) == {"sessions", "rate_limit"}
    assert type(made["sessions"]).__name__ == "RedisStore"


def test_the_rigs_syncthing_sees_are_still_asked_for_when_one_is_configured():
    import anyio

    from services.gateway.rigs import rig_overview
    from shared.settings import SyncthingSettings

    overview = anyio.run(rig_overview, SyncthingSettings(syncthing_url="http://127.0.0.1:1"))
    assert overview.configured and not overview.reachable and overview.error


def test_the_gateway_hashes_no_password_as_it_starts():
    """An argon2 hash costs 19 MiB for a moment: the unknown user's stand-in is written out."""
    code = ("import argon2\n"
            "made = []\n"
            "hash = argon2.PasswordHasher.hash\n"
            "argon2.PasswordHasher.hash = lambda self, *a: made.append(1) or hash(self, *a)\n"
            "import services.gateway.users\n"
            "print(len(made))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "0"


def test_the_unknown_users_stand_in_hash_costs_what_a_real_one_does():
    """Same parameters, so signing in as nobody takes as long as signing in as someone."""
    from argon2.exceptions import VerifyMismatchError

    from services.gateway.users import _DUMMY_HASH, _hasher

    assert not _hasher.check_needs_rehash(_DUMMY_HASH)
    with pytest.raises(VerifyMismatchError):
        _hasher.verify(_DUMMY_HASH, "a guess")
