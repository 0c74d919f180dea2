"""Syncthing 1.19's REST API as the sync service and the gateway use it: shared folders,
rescans, progress; the sync service drives it, the gateway reads the rigs it sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx

from shared import telemetry

SONGS_FOLDER = "chhub-songs"
CUSTOM_FOLDER = "chhub-custom"
SETLISTS_FOLDER = "chhub-setlists"
# Clone Hero's Songs, Custom and Setlists folders are separate roots on a rig, so each is its
# own Syncthing folder: `<content>/songs`, `<content>/custom` and `<content>/setlists`.
CONTENT_ROOTS = {"songs": SONGS_FOLDER, "custom": CUSTOM_FOLDER, "setlists": SETLISTS_FOLDER}


class SyncthingError(Exception):
    """Syncthing could not be reached or refused a request (`status` is the HTTP status)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FolderSpec:
    id: str
    path: Path
    type: str = "sendonly"
    label: str = ""


@dataclass(frozen=True)
class FolderState:
    folder_id: str
    state: str
    need_files: int
    error: str = ""


@dataclass(frozen=True)
class Device:
    device_id: str
    name: str
    addresses: tuple[str, ...]
    connected: bool


def content_folders(content_dir: Path) -> tuple[FolderSpec, ...]:
    """The library's send-only folders for a content folder at `content_dir`."""
    return tuple(FolderSpec(folder_id, content_dir / root, "sendonly", f"Clone Hero {root}")
                 for root, folder_id in CONTENT_ROOTS.items())


def folder_of(content_path: str) -> tuple[str, str]:
    """(folder id, sub-path inside it) of a path relative to the content root."""
    root, _, sub = content_path.strip("/").partition("/")
    if root not in CONTENT_ROOTS or not sub:
        raise ValueError(f"{content_path!r} is not inside a shared folder")
    return CONTENT_ROOTS[root], sub


class SyncthingPort(Protocol):
    def ping(self) -> None: ...
    def my_id(self) -> str: ...
    def folders(self) -> list[FolderSpec]: ...
    def ensure_folder(self, spec: FolderSpec, devices: Sequence[str] = ()) -> bool: ...
    def rescan(self, folder_id: str, sub: str) -> None: ...
    def rescan_paths(self, folder_id: str, subs: Sequence[str]) -> None: ...
    def completion(self, folder_id: str, device_id: str) -> float: ...
    def folder_state(self, folder_id: str) -> FolderState: ...
    def add_device(self, device_id: str, name: str, addresses: Sequence[str]) -> None: ...
    def devices(self) -> list[Device]: ...
    def share(self, folder_id: str, device_id: str) -> None: ...
    def unshare(self, folder_id: str, device_id: str) -> None: ...
    def shared_with(self, folder_id: str) -> tuple[str, ...]: ...


class SyncthingRest(SyncthingPort):
    """The HTTP adapter; blocking, so async callers run it in a thread."""

    def __init__(self, url: str, api_key: str, timeout: float = 30.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self._http = httpx.Client(base_url=url, headers={"X-API-Key": api_key}, timeout=timeout,
                                  transport=transport)

    def close(self) -> None:
        self._http.close()

    def ping(self) -> None:
        self._call("GET", "/rest/system/ping")

    def my_id(self) -> str:
        return self._call("GET", "/rest/system/status")["myID"]

    def folders(self) -> list[FolderSpec]:
        return [FolderSpec(f["id"], Path(f["path"]), f["type"], f["label"])
                for f in self._call("GET", "/rest/config/folders")]

    def ensure_folder(self, spec: FolderSpec, devices: Sequence[str] = ()) -> bool:
        """Create the folder unless it exists; True when created. An existing folder keeps
        its devices and options, so an administrator's sharing choices survive restarts."""
        if any(folder.id == spec.id for folder in self.folders()):
            return False
        folder = self._call("GET", "/rest/config/defaults/folder")
        folder.update(id=spec.id, label=spec.label or spec.id, path=str(spec.path),
                      type=spec.type)
        mine = folder.get("devices") or []
        folder["devices"] = mine + [{"deviceID": d} for d in devices]
        self._call("POST", "/rest/config/folders", json=folder)
        return True

    def share(self, folder_id: str, device_id: str) -> None:
        folder = self._call("GET", f"/rest/config/folders/{folder_id}")
        if all(d["deviceID"] != device_id for d in folder["devices"]):
            devices = [*folder["devices"], {"deviceID": device_id}]
            self._call("PATCH", f"/rest/config/folders/{folder_id}", json={"devices": devices})

    def unshare(self, folder_id: str, device_id: str) -> None:
        folder = self._call("GET", f"/rest/config/folders/{folder_id}")
        devices = [d for d in folder["devices"] if d["deviceID"] != device_id]
        if len(devices) != len(folder["devices"]):
            self._call("PATCH", f"/rest/config/folders/{folder_id}", json={"devices": devices})

    def shared_with(self, folder_id: str) -> tuple[str, ...]:
        """Every device the folder is shared with, this one included."""
        folder = self._call("GET", f"/rest/config/folders/{folder_id}")
        return tuple(d["deviceID"] for d in folder["devices"])

    def rescan(self, folder_id: str, sub: str) -> None:
        self._call("POST", "/rest/db/scan", params={"folder": folder_id, "sub": sub})

    def rescan_paths(self, folder_id: str, subs: Sequence[str]) -> None:
        """One scan of several paths (Syncthing takes `sub` more than once); none, no call."""
        if subs:
            self._call("POST", "/rest/db/scan",
                       params=[("folder", folder_id), *(("sub", sub) for sub in subs)])

    def completion(self, folder_id: str, device_id: str) -> float:
        params = {"folder": folder_id, "device": device_id}
        return float(self._call("GET", "/rest/db/completion", params=params)["completion"])

    def folder_state(self, folder_id: str) -> FolderState:
        status = self._call("GET", "/rest/db/status", params={"folder": folder_id})
        return FolderState(folder_id, status["state"], status["needFiles"],
                           status.get("error", ""))

    def add_device(self, device_id: str, name: str, addresses: Sequence[str]) -> None:
        device = self._call("GET", "/rest/config/defaults/device")
        device.update(deviceID=device_id, name=name, addresses=list(addresses))
        self._call("POST", "/rest/config/devices", json=device)

    def devices(self) -> list[Device]:
        connections = self._call("GET", "/rest/system/connections")["connections"]
        return [Device(d["deviceID"], d["name"], tuple(d["addresses"]),
                       connections.get(d["deviceID"], {}).get("connected", False))
                for d in self._call("GET", "/rest/config/devices")]

    def file(self, folder_id: str, name: str) -> dict[str, Any] | None:
        """The index entry of one file (`global` and `local`), or None when never seen."""
        try:
            return self._call("GET", "/rest/db/file", params={"folder": folder_id, "file": name})
        except SyncthingError as error:
            if error.status == 404:
                return None
            raise

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        with telemetry.span(f"syncthing {method} {path}", **{"http.request.method": method,
                                                              "url.path": path}):
            try:
                response = self._http.request(method, path, **kwargs)
            except httpx.HTTPError as error:
                raise SyncthingError(f"{method} {path}: {error}") from error
        if response.status_code >= 400:
            raise SyncthingError(f"{method} {path}: {response.status_code} "
                                 f"{response.text.strip()[:200]}", response.status_code)
        return response.json() if response.content else None


@dataclass
class InMemorySyncthing(SyncthingPort):
    """A Syncthing double for unit tests; set `down` to make every call fail; `calls` counts
    every call."""

    device_id: str = "LIBRARY"
    shared: dict[str, FolderSpec] = field(default_factory=dict)
    scans: list[tuple[str, str]] = field(default_factory=list)
    known_devices: dict[str, Device] = field(default_factory=dict)
    completions: dict[tuple[str, str], float] = field(default_factory=dict)
    sharing: dict[str, set[str]] = field(default_factory=dict)
    down: bool = False
    calls: int = 0

    def ping(self) -> None:
        self._check()

    def my_id(self) -> str:
        self._check()
        return self.device_id

    def folders(self) -> list[FolderSpec]:
        self._check()
        return list(self.shared.values())

    def ensure_folder(self, spec: FolderSpec, devices: Sequence[str] = ()) -> bool:
        self._check()
        if spec.id in self.shared:
            return False
        self.shared[spec.id] = spec
        self.sharing[spec.id] = set(devices)
        return True

    def rescan(self, folder_id: str, sub: str) -> None:
        self._check()
        if folder_id not in self.shared:
            raise SyncthingError(f"folder {folder_id} does not exist")
        self.scans.append((folder_id, sub))

    def rescan_paths(self, folder_id: str, subs: Sequence[str]) -> None:
        if not subs:
            return
        self._check()
        if folder_id not in self.shared:
            raise SyncthingError(f"folder {folder_id} does not exist")
        self.scans.extend((folder_id, sub) for sub in subs)

    def completion(self, folder_id: str, device_id: str) -> float:
        self._check()
        return self.completions.get((folder_id, device_id), 100.0)

    def folder_state(self, folder_id: str) -> FolderState:
        self._check()
        return FolderState(folder_id, "idle", 0)

    def add_device(self, device_id: str, name: str, addresses: Sequence[str]) -> None:
        self._check()
        self.known_devices[device_id] = Device(device_id, name, tuple(addresses), False)

    def devices(self) -> list[Device]:
        self._check()
        return list(self.known_devices.values())

    def share(self, folder_id: str, device_id: str) -> None:
        self._check()
        self.sharing.setdefault(folder_id, set()).add(device_id)

    def unshare(self, folder_id: str, device_id: str) -> None:
        self._check()
        self.sharing.setdefault(folder_id, set()).discard(device_id)

    def shared_with(self, folder_id: str) -> tuple[str, ...]:
        self._check()
        return (self.device_id, *sorted(self.sharing.get(folder_id, ())))

    def _check(self) -> None:
        self.calls += 1
        if self.down:
            raise SyncthingError("Syncthing is down")
