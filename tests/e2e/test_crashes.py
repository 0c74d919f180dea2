"""A consumer killed in the middle of its work, or between its commit and its publish, loses
nothing and doubles nothing once it is back."""

from __future__ import annotations

import os
import time

import httpx
import pytest
from sqlalchemy import text

from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"


def assert_each_song_once(stack, catalog, details) -> None:
    ids = [song["song_id"] for song in details["songs"]]
    with catalog.connect() as connection:
        rows = connection.execute(
            text("SELECT id, file_path FROM songs WHERE id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": ids}).all()
    assert len(rows) == len(ids)
    for row in rows:
        folder = stack.content_dir / row.file_path
        assert folder.is_dir()
        siblings = [p for p in folder.parent.iterdir() if p.name.endswith(str(row.id)[:8])]
        assert siblings == [folder]


def test_an_ingest_killed_mid_pack_finishes_the_pack_once_restarted(stack, admin_token, corpus,
                                                                    catalog, unique):
    songs = 12
    pack = {}
    for index in range(songs):
        files = song_files(corpus / AMAZING, f"{unique}-{index}",
                           **{"guitar.ogg": os.urandom(3 * 1024 * 1024)})
        pack.update({f"Pack/Song {index}/{name}": data for name, data in files.items()})
    upload_id = upload(stack, admin_token, zip_bytes(pack), "big-pack.zip")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = httpx.get(f"{stack.gateway_url}/api/uploads/{upload_id}").json()
        if any(song["stage"] != "found" for song in state["songs"]):
            break
        time.sleep(0.05)
    stack.kill("ingest")
    state = httpx.get(f"{stack.gateway_url}/api/uploads/{upload_id}").json()
    assert state["state"] != "completed", "the pack finished before the crash: make it bigger"
    stack.start("ingest")
    details = wait_for_upload(stack, upload_id, timeout=180)
    assert details["state"] == "completed", details
    assert [song["stage"] for song in details["songs"]] == ["published"] * songs
    assert_each_song_once(stack, catalog, details)


@pytest.mark.parametrize("service,queue", [("ingest", "ingest.extract"),
                                           ("catalog", "catalog.catalog"),
                                           ("sync", "sync.publish")])
def test_a_consumer_killed_between_commit_and_publish_completes_the_upload_once_restarted(
        stack, admin_token, corpus, catalog, unique, tmp_path, service, queue):
    marker = tmp_path / "crashed"
    stack.restart(service, CHHUB_CRASH_BEFORE_PUBLISH=f"{queue}@{marker}")
    try:
        files = song_files(corpus / AMAZING, unique)
        upload_id = upload(stack, admin_token, zip_bytes(files), "crash.zip")
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert marker.exists(), f"{service} never reached the crash point"
        stack.processes[service].wait(timeout=30)
        assert stack.processes[service].returncode == 137
    finally:
        stack.restart(service)
    details = wait_for_upload(stack, upload_id)
    assert details["state"] == "completed", details
    assert_each_song_once(stack, catalog, details)
