"""Replay and reindex run stages again over stored songs, respecting the present."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import timedelta

import httpx
from sqlalchemy import text

from shared.songs.version import PARSER_VERSION
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

FOLDERS = ["donnaken15-charts/Amazing", "donnaken15-charts/Johnny Booth - Savannah",
           "donnaken15-charts/Johnny Booth - Crowd Control"]


def pack(stack, token, corpus, unique, count: int = 3) -> dict:
    files = {}
    for index in range(count):
        folder = FOLDERS[index % len(FOLDERS)]
        for name, data in song_files(corpus / folder, f"{unique}-{index}").items():
            files[f"Song {index}/{name}"] = data
    details = wait_for_upload(stack, upload(stack, token, zip_bytes(files), "pack.zip"))
    assert details["state"] == "completed", details
    return details


def chhub(stack, *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "services.cli", *args], env=stack.env,
                            cwd=stack.workdir, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def song_ids(details) -> list[str]:
    return sorted(song["song_id"] for song in details["songs"])


def mark_read_by_an_older_parser(catalog, ids) -> None:
    with catalog.begin() as connection:
        connection.execute(text("UPDATE songs SET parser_version = 0 "
                                "WHERE id = ANY(CAST(:ids AS uuid[]))"), {"ids": ids})


def parser_versions(catalog, ids) -> list[int]:
    with catalog.connect() as connection:
        return [row[0] for row in connection.execute(text(
            "SELECT parser_version FROM songs WHERE id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": ids})]


def file_times(stack, catalog, ids) -> dict:
    with catalog.connect() as connection:
        paths = connection.execute(text("SELECT file_path FROM songs WHERE id = ANY("
                                        "CAST(:ids AS uuid[]))"), {"ids": ids}).scalars()
        return {str(p): p.stat().st_mtime_ns for path in paths
                for p in (stack.content_dir / path).iterdir()}


def test_reindex_reads_every_outdated_song_again_without_rewriting_the_content_folder(
        stack, admin_token, corpus, catalog, unique):
    ids = song_ids(pack(stack, admin_token, corpus, unique))
    before = file_times(stack, catalog, ids)
    mark_read_by_an_older_parser(catalog, ids)
    output = chhub(stack, "reindex")
    assert f"with parser version {PARSER_VERSION}" in output
    assert parser_versions(catalog, ids) == [PARSER_VERSION] * len(ids)
    time.sleep(2)
    assert file_times(stack, catalog, ids) == before, "rigs must not download it again"


def test_a_reindex_whose_song_cannot_be_read_again_ends_and_says_which(
        stack, admin_token, corpus, catalog, unique):
    readable, gone = song_ids(pack(stack, admin_token, corpus, unique, count=2))
    mark_read_by_an_older_parser(catalog, [readable, gone])
    with catalog.begin() as connection:
        manifest_key = connection.execute(text("SELECT manifest_key FROM songs WHERE id = :id"),
                                          {"id": gone}).scalar()
        connection.execute(text("UPDATE songs SET manifest_key = 'manifests/gone.json' "
                                "WHERE id = :id"), {"id": gone})
    try:
        result = subprocess.run([sys.executable, "-m", "services.cli", "reindex"], env=stack.env,
                                cwd=stack.workdir, capture_output=True, text=True, timeout=120)
        assert result.returncode == 1, result.stdout + result.stderr
        assert f"{gone}: " in result.stderr and readable not in result.stderr
        assert parser_versions(catalog, [readable]) == [PARSER_VERSION]
        assert parser_versions(catalog, [gone]) == [0]
    finally:
        with catalog.begin() as connection:
            connection.execute(text("UPDATE songs SET manifest_key = :key, parser_version = :v "
                                    "WHERE id = :id"),
                               {"key": manifest_key, "v": PARSER_VERSION, "id": gone})


def test_a_reindex_survives_an_ingest_killed_midway(stack, admin_token, corpus, catalog, unique):
    ids = song_ids(pack(stack, admin_token, corpus, unique, count=8))
    mark_read_by_an_older_parser(catalog, ids)
    chhub(stack, "reindex", "--no-wait")
    time.sleep(0.3)
    stack.kill("ingest")
    stack.start("ingest")
    deadline = time.monotonic() + 120
    while parser_versions(catalog, ids) != [PARSER_VERSION] * len(ids):
        assert time.monotonic() < deadline, parser_versions(catalog, ids)
        time.sleep(0.3)
    with catalog.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM songs WHERE id = ANY("
                                       "CAST(:ids AS uuid[]))"), {"ids": ids}).scalar() == 8


def test_a_replay_never_brings_back_a_deleted_song_nor_undoes_an_edit(stack, admin_token, corpus,
                                                                        catalog, unique):
    details = pack(stack, admin_token, corpus, unique, count=2)
    deleted, edited = song_ids(details)
    headers = {"Authorization": f"Bearer {admin_token}"}
    deleted_path = httpx.get(f"{stack.gateway_url}/api/songs/{deleted}").json()["file_path"]
    httpx.delete(f"{stack.gateway_url}/api/songs/{deleted}", headers=headers)
    httpx.patch(f"{stack.gateway_url}/api/songs/{edited}", headers=headers,
                json={"changes": {"name": f"Edited {unique}"}})
    deadline = time.monotonic() + 60
    while True:
        song = httpx.get(f"{stack.gateway_url}/api/songs/{edited}").json()
        gone = httpx.get(f"{stack.gateway_url}/api/songs/{deleted}").status_code == 404
        if gone and song["revision"] == 2 and (stack.content_dir / song["file_path"]).is_dir():
            break
        assert time.monotonic() < deadline
        time.sleep(0.3)
    for stage in ("parse", "catalog", "publish", "parse"):
        chhub(stack, "replay", "--stage", stage, "--upload", details["id"])
    time.sleep(3)
    assert httpx.get(f"{stack.gateway_url}/api/songs/{deleted}").status_code == 404
    assert not (stack.content_dir / deleted_path).exists()
    after = httpx.get(f"{stack.gateway_url}/api/songs/{edited}").json()
    assert (after["name"], after["revision"]) == (f"Edited {unique}", 2)
    assert (stack.content_dir / after["file_path"] / "song.ini").is_file()


def test_replay_by_upload_and_by_time_range_chooses_exactly_those_songs(stack, admin_token,
                                                                        corpus, catalog, unique):
    first = pack(stack, admin_token, corpus, f"{unique}a", count=2)
    time.sleep(1.1)
    second = pack(stack, admin_token, corpus, f"{unique}b", count=2)

    listed = chhub(stack, "replay", "--stage", "parse", "--upload", first["id"], "--dry-run")
    assert sorted(line.strip() for line in listed.splitlines() if line.startswith("  ")) == \
        song_ids(first)

    with catalog.connect() as connection:
        start, end = connection.execute(text(
            "SELECT min(created_at) AT TIME ZONE 'UTC', max(created_at) AT TIME ZONE 'UTC' "
            "FROM songs WHERE id = ANY(CAST(:ids AS uuid[]))"), {"ids": song_ids(second)}).one()
    since = start.replace(microsecond=0)
    until = end.replace(microsecond=0) + timedelta(seconds=1)
    listed = chhub(stack, "replay", "--stage", "parse", "--since", since.isoformat(sep=" "),
                   "--until", until.isoformat(sep=" "), "--dry-run")
    chosen = sorted(line.strip() for line in listed.splitlines() if line.startswith("  "))
    assert chosen == song_ids(second)


def test_an_admin_reindexes_from_the_operations_api(stack, admin_token, corpus, catalog,
                                                    unique):
    ids = song_ids(pack(stack, admin_token, corpus, unique, count=1))
    mark_read_by_an_older_parser(catalog, ids)
    response = httpx.post(f"{stack.gateway_url}/api/operations/reindex",
                          headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 202 and response.json()["songs"] >= 1
    deadline = time.monotonic() + 60
    while parser_versions(catalog, ids) != [PARSER_VERSION]:
        assert time.monotonic() < deadline
        time.sleep(0.3)
