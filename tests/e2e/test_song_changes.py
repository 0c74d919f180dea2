"""Editing and deleting a song go through the pipeline: catalog, object store, content folder."""

from __future__ import annotations

import time

import httpx
from minio import Minio

from shared.songs.ini import parse_ini
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"


def wait_for(predicate, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise TimeoutError("the condition never held")


def published_song(stack, token, corpus, unique) -> dict:
    details = wait_for_upload(stack, upload(stack, token, zip_bytes(song_files(
        corpus / AMAZING, unique)), "song.zip"))
    song_id = details["songs"][0]["song_id"]
    return httpx.get(f"{stack.gateway_url}/api/songs/{song_id}").json()


def test_an_edited_title_becomes_a_new_revision_published_under_its_new_name(
        stack, admin_token, corpus, unique):
    song = published_song(stack, admin_token, corpus, unique)
    old_folder = stack.content_dir / song["file_path"]
    response = httpx.patch(f"{stack.gateway_url}/api/songs/{song['id']}",
                           json={"changes": {"name": f"Renamed {unique}"}},
                           headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 202, response.text
    assert response.json()["revision"] == 2

    def edited():
        current = httpx.get(f"{stack.gateway_url}/api/songs/{song['id']}").json()
        folder = stack.content_dir / current["file_path"]
        return current if current["revision"] == 2 and folder.is_dir() else None

    current = wait_for(edited)
    assert current["name"] == f"Renamed {unique}"
    new_folder = stack.content_dir / current["file_path"]
    assert new_folder.name.startswith(f"Renamed {unique}_")
    assert parse_ini((new_folder / "song.ini").read_bytes()).song["name"] == f"Renamed {unique}"
    assert (new_folder / "song.ogg").read_bytes() == (corpus / AMAZING / "song.ogg").read_bytes()
    wait_for(lambda: not old_folder.exists())


def test_a_deleted_song_leaves_the_catalog_the_object_store_and_the_content_folder(
        stack, admin_token, corpus, unique):
    song = published_song(stack, admin_token, corpus, unique)
    folder = stack.content_dir / song["file_path"]
    assert folder.is_dir()
    response = httpx.delete(f"{stack.gateway_url}/api/songs/{song['id']}",
                            headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 202
    wait_for(lambda: httpx.get(f"{stack.gateway_url}/api/songs/{song['id']}").status_code == 404)
    wait_for(lambda: not folder.exists())
    client = Minio(endpoint=stack.env["CHHUB_S3_ENDPOINT"],
                   access_key=stack.env["AWS_ACCESS_KEY_ID"],
                   secret_key=stack.env["AWS_SECRET_ACCESS_KEY"], secure=False)
    wait_for(lambda: not list(client.list_objects(
        bucket_name="chhub-songs", prefix=f"manifests/{song['id']}/", recursive=True)))


def test_only_an_admin_may_edit_or_delete(stack, corpus, admin_token, unique):
    song = published_song(stack, admin_token, corpus, unique)
    uploader = stack.chhub("token", "create", "--name", "friend", "--role", "uploader"
                           ).stdout.strip()
    headers = {"Authorization": f"Bearer {uploader}"}
    url = f"{stack.gateway_url}/api/songs/{song['id']}"
    assert httpx.patch(url, json={"changes": {"name": "x"}}, headers=headers).status_code == 403
    assert httpx.delete(url, headers=headers).status_code == 403
    assert httpx.delete(url).status_code == 401


def test_the_api_is_described_by_openapi_and_health_checks_every_dependency(stack,
                                                                           admin_token):
    schema = httpx.get(f"{stack.gateway_url}/schema/openapi.json").json()
    assert {"/api/uploads", "/api/uploads/{upload_id}", "/api/songs", "/api/songs/{song_id}",
            "/health"} <= set(schema["paths"])
    health = httpx.get(f"{stack.gateway_url}/health",
                       headers={"Authorization": f"Bearer {admin_token}"}).json()
    assert health == {"status": "ok", "checks": {"database": "ok", "broker": "ok",
                                                 "object_store": "ok"}}


def test_two_edits_sent_at_once_both_land_in_turn(stack, admin_token, corpus, unique):
    song = published_song(stack, admin_token, corpus, unique)
    url = f"{stack.gateway_url}/api/songs/{song['id']}"
    headers = {"Authorization": f"Bearer {admin_token}"}
    for changes in ({"name": f"Renamed {unique}"}, {"artist": f"Other {unique}"}):
        assert httpx.patch(url, json={"changes": changes}, headers=headers).status_code == 202

    def both_applied():
        current = httpx.get(url).json()
        folder = stack.content_dir / current["file_path"]
        return current if current["revision"] == 3 and folder.is_dir() else None

    current = wait_for(both_applied)
    assert (current["name"], current["artist"]) == (f"Renamed {unique}", f"Other {unique}")
    ini = parse_ini((stack.content_dir / current["file_path"] / "song.ini").read_bytes()).song
    assert (ini["name"], ini["artist"]) == (f"Renamed {unique}", f"Other {unique}")
