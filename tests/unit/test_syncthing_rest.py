"""The Syncthing REST client speaks 1.19's API: the API key header, folder creation from the
defaults, rescans of one sub-folder, and errors as SyncthingError."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from shared.syncthing import FolderSpec, SyncthingError, SyncthingRest


class StubSyncthing:
    """Answers like Syncthing 1.19 for the calls the client makes, and records them."""

    def __init__(self) -> None:
        self.folders: list[dict] = []
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("X-API-Key") != "secret":
            return httpx.Response(403, text="CSRF Error")
        route = (request.method, request.url.path)
        if route == ("GET", "/rest/config/folders"):
            return httpx.Response(200, json=self.folders)
        if route == ("GET", "/rest/config/defaults/folder"):
            return httpx.Response(200, json={"id": "", "path": "~", "type": "sendreceive",
                                             "devices": [{"deviceID": "ME"}]})
        if route == ("POST", "/rest/config/folders"):
            self.folders.append(json.loads(request.content))
            return httpx.Response(200)
        if route == ("POST", "/rest/db/scan"):
            return httpx.Response(200)
        if route == ("GET", "/rest/db/completion"):
            return httpx.Response(200, json={"completion": 42.5, "needItems": 3})
        return httpx.Response(500, text="no such folder")


@pytest.fixture
def stub() -> StubSyncthing:
    return StubSyncthing()


def client(stub: StubSyncthing, key: str = "secret") -> SyncthingRest:
    return SyncthingRest("http://syncthing.test", key, transport=httpx.MockTransport(stub))


def test_a_folder_is_created_from_the_defaults_once(stub):
    rest = client(stub)
    spec = FolderSpec("chhub-songs", Path("/content/songs"), "sendonly", "Songs")
    assert rest.ensure_folder(spec, devices=["RIG"])
    assert not rest.ensure_folder(spec)
    [folder] = stub.folders
    assert folder["path"] == "/content/songs" and folder["type"] == "sendonly"
    assert [d["deviceID"] for d in folder["devices"]] == ["ME", "RIG"]


def test_a_rescan_names_the_folder_and_the_sub_path(stub):
    client(stub).rescan("chhub-songs", "Ärtist/Title_1")
    request = stub.requests[-1]
    assert request.method == "POST" and request.url.path == "/rest/db/scan"
    assert dict(request.url.params) == {"folder": "chhub-songs", "sub": "Ärtist/Title_1"}


def test_several_paths_are_rescanned_in_one_request_and_none_in_no_request(stub):
    rest = client(stub)
    rest.rescan_paths("chhub-songs-abc", ["A/One", "B/Two"])
    rest.rescan_paths("chhub-songs-abc", [])
    [request] = stub.requests
    assert request.url.params.get_list("folder") == ["chhub-songs-abc"]
    assert request.url.params.get_list("sub") == ["A/One", "B/Two"]


def test_completion_is_read_per_folder_and_device(stub):
    assert client(stub).completion("chhub-songs", "RIG") == 42.5
    assert dict(stub.requests[-1].url.params) == {"folder": "chhub-songs", "device": "RIG"}


def test_a_refusal_becomes_a_syncthing_error_with_its_status(stub):
    with pytest.raises(SyncthingError) as raised:
        client(stub, key="wrong").rescan("chhub-songs", "A/B")
    assert raised.value.status == 403


def test_an_unreachable_syncthing_becomes_a_syncthing_error():
    rest = SyncthingRest("http://127.0.0.1:9", "secret", timeout=2)
    with pytest.raises(SyncthingError):
        rest.ping()
