"""Runs the official Clone Hero standalone server with its `settings.ini` written from config."""

from __future__ import annotations

import configparser
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import structlog

from services.sync.chserver_settings import ChServerSettings

READY_LINE = "Server running..."
STARTING, HEALTHY, STOPPED = "starting", "healthy", "stopped"
REDACTED = "********"

log = structlog.get_logger(__name__)


def online_settings(settings: ChServerSettings) -> dict[str, str]:
    """The `[online]` keys of the server's settings.ini."""
    if settings.chserver_min_required_players > settings.chserver_max_players:
        raise ValueError("chserver_min_required_players exceeds chserver_max_players")
    flag = {True: "1", False: "0"}
    return {
        "maxplayers": str(settings.chserver_max_players),
        "minrequiredplayers": str(settings.chserver_min_required_players),
        "onlyhostchoosesongs": flag[settings.chserver_only_host_chooses_songs],
        "maxspectators": str(settings.chserver_max_spectators),
        "servertickrate": str(settings.chserver_tick_rate),
        "lowsongspeed": str(settings.chserver_low_song_speed),
        "maxsongspeed": str(settings.chserver_max_song_speed),
        "clientremovesongs": flag[settings.chserver_client_remove_songs],
        "songsperclient": str(settings.chserver_songs_per_client),
    }


def write_settings_ini(path: Path, online: dict[str, str]) -> None:
    """Set the `[online]` keys, keeping every other section and key the server wrote."""
    ini = configparser.ConfigParser(interpolation=None)
    if path.exists():
        ini.read(path, encoding="utf-8")
    if not ini.has_section("online"):
        ini.add_section("online")
    for key, value in online.items():
        ini.set("online", key, value)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as file:
        ini.write(file)


def arguments(settings: ChServerSettings, password: str | None) -> list[str]:
    access = ["--password", password] if password else ["--nopass"]
    return [str(settings.chserver_binary), "--port", str(settings.chserver_port),
            "--address", settings.chserver_address, "--name", settings.chserver_name,
            *access, "--logLevel", "4"]


class ChServer:
    """One server process: `status` goes starting → healthy (on its ready line) → stopped."""

    def __init__(self, settings: ChServerSettings,
                 on_status: Callable[[str], None] | None = None) -> None:
        self._settings = settings
        self._password = settings.password()
        self._on_status = on_status
        self._process: subprocess.Popen[str] | None = None
        self._healthy = threading.Event()
        self._reader: threading.Thread | None = None
        self.status = STOPPED

    def start(self) -> None:
        workdir = self._settings.chserver_dir
        write_settings_ini(workdir / "settings.ini", online_settings(self._settings))
        command = arguments(self._settings, self._password)
        log.info("chserver.starting", command=self._redact(" ".join(command)))
        self._set(STARTING)
        try:
            self._process = subprocess.Popen(
                command, cwd=workdir, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, errors="replace", bufsize=1)
        except OSError:
            self._set(STOPPED)
            raise
        self._reader = threading.Thread(target=self._forward, name="chserver-log", daemon=True)
        self._reader.start()

    def wait_until_healthy(self, timeout: float) -> bool:
        return self._healthy.wait(timeout)

    def wait(self, timeout: float | None = None) -> int:
        """Wait for the server to exit (and its last lines to be logged); its exit code."""
        assert self._process is not None, "not started"
        code = self._process.wait(timeout)
        if self._reader is not None:
            self._reader.join(timeout=5)
        return code

    def terminate(self) -> None:
        """Ask the server to exit; safe inside a signal handler (it never waits)."""
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()

    def stop(self, timeout: float = 10) -> int | None:
        if self._process is None:
            return None
        if self._process.poll() is None:
            self._process.terminate()
            try:
                return self.wait(timeout)
            except subprocess.TimeoutExpired:
                self._process.kill()
        return self.wait()

    def _forward(self) -> None:
        """Log each line the server prints; the ready line makes it healthy."""
        assert self._process is not None and self._process.stdout is not None
        for line in self._process.stdout:
            text = line.rstrip()
            log.info("chserver.output", line=self._redact(text))
            if READY_LINE in text and not self._healthy.is_set():
                self._healthy.set()
                self._set(HEALTHY)
        code = self._process.wait()
        self._healthy.clear()
        log.info("chserver.exited", code=code)
        self._set(STOPPED)

    def _set(self, status: str) -> None:
        self.status = status
        log.info("chserver.status", status=status)
        if self._on_status is not None:
            self._on_status(status)

    def _redact(self, text: str) -> str:
        """The password never reaches a log, even if the server itself prints it."""
        return text.replace(self._password, REDACTED) if self._password else text
