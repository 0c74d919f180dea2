"""Starts a private Syncthing on loopback that talks to no one it is not told about."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import httpx

# Everything that would reach past this machine is switched off: discovery, relays, NAT
# traversal (and the STUN it uses), usage and crash reports, upgrades. Peers are introduced
# by explicit tcp://127.0.0.1 addresses only.
PRIVATE_OPTIONS = {
    "globalAnnounceEnabled": "false",
    "localAnnounceEnabled": "false",
    "relaysEnabled": "false",
    "natEnabled": "false",
    "urAccepted": "-1",
    "crashReportingEnabled": "false",
    "autoUpgradeIntervalH": "0",
    "startBrowser": "false",
    "announceLANAddresses": "false",
    "stunKeepaliveStartS": "0",
    "stunKeepaliveMinS": "0",
}
QUIET_ENV = {"STNODEFAULTFOLDER": "1", "STNOUPGRADE": "1", "STNORESTART": "1"}


@dataclass
class LocalSyncthing:
    home: Path
    gui_port: int
    listen_port: int
    api_key: str
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.gui_port}"

    @property
    def listen_address(self) -> str:
        return f"tcp://127.0.0.1:{self.listen_port}"

    def stop(self, timeout: float = 15) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def binary() -> str:
    found = shutil.which("syncthing")
    if found is None:
        raise FileNotFoundError("syncthing is not installed (Debian: apt-get install syncthing)")
    return found


def configure(home: Path, *, name: str, gui_port: int, listen_port: int, api_key: str) -> None:
    """Generate keys and a config in `home` (once), then pin ports, key and private options."""
    config = home / "config.xml"
    if not config.exists():
        subprocess.run([binary(), "generate", f"--home={home}", "--skip-port-probing"],
                       env={**os.environ, **QUIET_ENV}, check=True, capture_output=True)
    tree = ET.parse(config)
    root = tree.getroot()
    root.find("device").set("name", name)
    gui = root.find("gui")
    gui.find("address").text = f"127.0.0.1:{gui_port}"
    gui.find("apikey").text = api_key
    options = root.find("options")
    for old in options.findall("listenAddress"):
        options.remove(old)
    ET.SubElement(options, "listenAddress").text = f"tcp://127.0.0.1:{listen_port}"
    for key, value in PRIVATE_OPTIONS.items():
        element = options.find(key)
        if element is None:
            element = ET.SubElement(options, key)
        element.text = value
    tree.write(config)


def start(home: Path, *, name: str = "chhub", gui_port: int | None = None,
          listen_port: int | None = None, api_key: str | None = None,
          timeout: float = 30) -> LocalSyncthing:
    """Start Syncthing with its config in `home` and wait until its REST API answers."""
    home.mkdir(parents=True, exist_ok=True)
    local = LocalSyncthing(home, gui_port or free_port(), listen_port or free_port(),
                           api_key or secrets.token_urlsafe(24))
    configure(home, name=name, gui_port=local.gui_port, listen_port=local.listen_port,
              api_key=local.api_key)
    local.process = launch(home)
    try:
        wait_until_ready(local, timeout)
    except BaseException:
        local.stop()
        raise
    return local


def launch(home: Path) -> subprocess.Popen:
    """Run the Syncthing configured in `home` (again, after a crash), without waiting."""
    log = (home / "syncthing.log").open("ab")
    return subprocess.Popen(
        [binary(), "serve", f"--home={home}", "--no-browser", "--no-restart", "--no-upgrade"],
        env={**os.environ, **QUIET_ENV}, stdout=log, stderr=subprocess.STDOUT)


def wait_until_ready(local: LocalSyncthing, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if local.process is not None and local.process.poll() is not None:
            raise RuntimeError(f"syncthing exited; see {local.home / 'syncthing.log'}")
        try:
            response = httpx.get(f"{local.url}/rest/system/ping", timeout=2,
                                 headers={"X-API-Key": local.api_key})
            if response.status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"syncthing did not answer at {local.url}")
