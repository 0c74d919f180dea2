"""Real Syncthing instances for tests: a library and a "rig", paired over loopback only."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from services.sync import syncthing_process
from services.sync.syncthing_process import LocalSyncthing
from shared.manifest import Manifest, ManifestFile
from shared.syncthing import SONGS_FOLDER, FolderSpec, SyncthingRest

T = TypeVar("T")


@dataclass
class Instance:
    local: LocalSyncthing
    rest: SyncthingRest

    @property
    def device_id(self) -> str:
        return self.rest.my_id()


@contextmanager
def running(home: Path, name: str) -> Iterator[Instance]:
    """A Syncthing on 127.0.0.1 with everything that reaches past the machine off."""
    local = syncthing_process.start(home, name=name)
    rest = SyncthingRest(local.url, local.api_key, timeout=30)
    try:
        yield Instance(local, rest)
    finally:
        rest.close()
        local.stop()


@contextmanager
def library_and_rig(stack, workdir: Path, settle: float) -> Iterator[tuple[Instance, Instance]]:
    """A library Syncthing that the stack's sync and gateway are restarted against (restarted
    back afterwards), and a rig Syncthing beside it, once the library's shared folders stand."""
    with running(workdir / "library", "library") as library, \
            running(workdir / "rig", "rig") as rig:
        env = {"CHHUB_SYNCTHING_URL": library.local.url,
               "CHHUB_SYNCTHING_API_KEY": library.local.api_key}
        stack.restart("sync", **env)
        stack.restart("gateway", **env)
        try:
            wait_until(lambda: any(f.id == SONGS_FOLDER for f in library.rest.folders()),
                       timeout=settle, what="the shared folders")
            yield library, rig
        finally:
            stack.restart("sync")
            stack.restart("gateway")


# Generous: a loaded machine may take long to connect, and the wait ends as soon as it has.
CONNECT_SECONDS = 90


def accept_library(rig: Instance, library: Instance) -> None:
    """The rig knows the library, so it accepts the library's connection, but never dials it
    ("dynamic" with discovery off is no address at all). Call this before the library learns
    of the rig: Syncthing 1.19 exchanges Hello messages one connection at a time, so two peers
    that dial each other at the same moment each wait on their own dial, and one gives up only
    after its 20 s Hello timeout. Only the library dials, as it does a real rig."""
    rig.rest.add_device(library.device_id, "library", ["dynamic"])


def wait_connected(library: Instance, rig: Instance, timeout: float = CONNECT_SECONDS) -> None:
    rig_id = rig.device_id
    wait_until(lambda: any(d.connected for d in library.rest.devices() if d.device_id == rig_id),
               timeout=timeout, what="the rig to connect")


def pair(library: Instance, rig: Instance, rig_songs: Path) -> None:
    """Introduce the two over loopback (the library dials the rig's address) and share the
    songs folder with the rig, which only receives."""
    accept_library(rig, library)
    rig_id = rig.device_id
    library.rest.add_device(rig_id, "rig", [rig.local.listen_address])
    library.rest.share(SONGS_FOLDER, rig_id)
    rig_songs.mkdir(parents=True, exist_ok=True)
    rig.rest.ensure_folder(FolderSpec(SONGS_FOLDER, rig_songs, "receiveonly", "Songs"),
                           devices=[library.device_id])
    wait_connected(library, rig)


def wait_until(check: Callable[[], T], timeout: float = 15, what: str = "a condition") -> T:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.2)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


def socket_addresses(local: LocalSyncthing) -> list[tuple[str, str]]:
    """(local, peer) address of every TCP and UDP socket Syncthing's processes hold."""
    pids = {str(local.process.pid)}
    children = subprocess.run(["pgrep", "-P", str(local.process.pid)], capture_output=True,
                              text=True).stdout.split()
    pids.update(children)
    lines = subprocess.run(["ss", "-tunapH"], capture_output=True, text=True).stdout.splitlines()
    addresses = []
    for line in lines:
        if any(f"pid={pid}," in line for pid in pids):
            fields = line.split()
            addresses.append((fields[4], fields[5]))
    return addresses


def publish(content, path: str, files: dict[str, bytes]) -> str:
    """Publish `files` as a song at `path` of the content folder, as the sync service does;
    its song id."""
    entries = tuple(ManifestFile(name=n, sha256=n, size=len(d)) for n, d in files.items())
    manifest = Manifest(song_id=uuid.uuid4(), revision=1, md5="0" * 32, files=entries)
    content.publish(manifest, path, lambda entry, target: target.write_bytes(files[entry.name]))
    return str(manifest.song_id)
