"""The Clone Hero server wrapper, driven with a stand-in executable that prints what the
official server prints: its status, arguments, settings.ini and a log free of the password."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import structlog

from services.sync.chserver import HEALTHY, STARTING, STOPPED, ChServer, write_settings_ini
from services.sync.chserver_settings import ChServerSettings

PASSWORD = "hunter2-secret"

STAND_IN = textwrap.dedent("""\
    #!{python}
    import json, pathlib, signal, sys, time
    here = pathlib.Path.cwd()
    (here / "argv.json").write_text(json.dumps(sys.argv[1:]))
    (here / "seen-settings.ini").write_text((here / "settings.ini").read_text())
    print("Clone Hero Server v1.0.0.0", flush=True)
    if "--password" in sys.argv:
        print("Password: " + sys.argv[sys.argv.index("--password") + 1], flush=True)
    while not (here / "go").exists():
        time.sleep(0.05)
    signal.signal(signal.SIGTERM, lambda *_: (print("Server stopped", flush=True), sys.exit(0)))
    print("Server running...", flush=True)
    while True:
        time.sleep(0.1)
""")


@pytest.fixture
def stand_in(tmp_path: Path) -> Path:
    binary = tmp_path / "Server"
    binary.write_text(STAND_IN.format(python=sys.executable))
    binary.chmod(0o755)
    return binary


def settings_for(binary: Path, workdir: Path, **changes) -> ChServerSettings:
    return ChServerSettings(chserver_binary=binary, chserver_dir=workdir, **changes)


def wait_for(check, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_the_status_goes_starting_healthy_stopped(stand_in, tmp_path):
    seen: list[str] = []
    server = ChServer(settings_for(stand_in, tmp_path / "run"), on_status=seen.append)
    server.start()
    assert server.status == STARTING
    assert not server.wait_until_healthy(0.5)  # not before it says it runs
    (tmp_path / "run" / "go").touch()
    assert server.wait_until_healthy(10)
    assert server.status == HEALTHY
    assert server.stop() == 0
    assert server.status == STOPPED
    assert seen == [STARTING, HEALTHY, STOPPED]


def test_a_server_that_dies_before_it_runs_is_reported_stopped(tmp_path):
    binary = tmp_path / "Server"
    binary.write_text(f"#!{sys.executable}\nimport sys\nprint('bad port')\nsys.exit(3)\n")
    binary.chmod(0o755)
    server = ChServer(settings_for(binary, tmp_path / "run"))
    server.start()
    assert server.wait() == 3
    assert server.status == STOPPED
    assert not server.wait_until_healthy(0)


def test_the_configured_arguments_and_settings_ini_keys_are_passed(stand_in, tmp_path):
    settings = settings_for(stand_in, tmp_path / "run", chserver_port=15000,
                            chserver_name="Basement", chserver_max_players=2,
                            chserver_min_required_players=2,
                            chserver_only_host_chooses_songs=True, chserver_songs_per_client=3)
    server = ChServer(settings)
    server.start()
    wait_for(lambda: (tmp_path / "run" / "seen-settings.ini").exists())
    server.stop()
    argv = json.loads((tmp_path / "run" / "argv.json").read_text())
    assert argv == ["--port", "15000", "--address", "0.0.0.0", "--name", "Basement",
                    "--nopass", "--logLevel", "4"]
    ini = (tmp_path / "run" / "seen-settings.ini").read_text()
    for line in ("maxplayers = 2", "minrequiredplayers = 2", "onlyhostchoosesongs = 1",
                 "songsperclient = 3", "servertickrate = 60", "clientremovesongs = 0"):
        assert line in ini.splitlines(), line


def test_other_settings_ini_keys_are_kept(tmp_path):
    ini = tmp_path / "settings.ini"
    ini.write_text("[online]\nmaxplayers = 1\nmotd = hello\n\n[other]\nkey = value\n")
    write_settings_ini(ini, {"maxplayers": "4"})
    text = ini.read_text()
    assert "maxplayers = 4" in text and "motd = hello" in text and "key = value" in text


def test_max_players_outside_one_to_four_is_refused(stand_in, tmp_path):
    with pytest.raises(ValueError):
        settings_for(stand_in, tmp_path, chserver_max_players=5)


def test_the_password_is_passed_but_never_logged(stand_in, tmp_path):
    secret = tmp_path / "password"
    secret.write_text(PASSWORD + "\n")
    server = ChServer(settings_for(stand_in, tmp_path / "run", chserver_password_file=secret))
    with structlog.testing.capture_logs() as logs:
        server.start()
        (tmp_path / "run" / "go").touch()
        assert server.wait_until_healthy(10)
        server.stop()
    argv = json.loads((tmp_path / "run" / "argv.json").read_text())
    assert argv[argv.index("--password") + 1] == PASSWORD
    assert "--nopass" not in argv
    lines = [entry.get("line", "") for entry in logs if entry["event"] == "chserver.output"]
    assert "Server running..." in lines and "Password: ********" in lines
    assert PASSWORD not in json.dumps(logs, default=str)


def test_chhub_chserver_run_stops_the_server_on_sigterm(stand_in, tmp_path):
    workdir = tmp_path / "run"
    env = {**os.environ, "CHHUB_CHSERVER_BINARY": str(stand_in),
           "CHHUB_CHSERVER_DIR": str(workdir), "CHHUB_CHSERVER_PASSWORD": PASSWORD,
           "CHHUB_LOG_FORMAT": "json"}
    process = subprocess.Popen([sys.executable, "-m", "services.cli", "chserver", "run"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, cwd=Path(__file__).resolve().parents[2])
    wait_for(lambda: (workdir / "argv.json").exists(), timeout=20)
    (workdir / "go").touch()
    time.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=20)
    assert process.returncode == 0, output
    assert '"status": "healthy"' in output and '"status": "stopped"' in output
    assert "Server stopped" in output
    assert PASSWORD not in output


def test_the_status_command_reports_what_the_running_wrapper_wrote(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from services.sync.chserver_command import chserver

    monkeypatch.setenv("CHHUB_CHSERVER_DIR", str(tmp_path))
    assert CliRunner().invoke(chserver, ["status"]).exit_code == 1
    (tmp_path / "status").write_text("healthy")
    result = CliRunner().invoke(chserver, ["status"])
    assert (result.exit_code, result.output.strip()) == (0, "healthy")
