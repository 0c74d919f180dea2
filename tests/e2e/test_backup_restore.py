"""A whole hub backed up while it runs, incrementally, and restored onto a fresh database, fresh
buckets on a fresh S3 server and an empty content folder: the same library comes back."""

from __future__ import annotations

import hashlib
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from shared.persistence import db
from tests.e2e.test_custom_content import png, wait_for_item
from tests.e2e.test_custom_content import upload as upload_custom
from tests.support import stack as stack_module
from tests.support.bucket import s3_client
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes
from tests.support.stack import Stack

# Two whole hubs, one after the other, on a machine that may be busy.
pytestmark = pytest.mark.timeout(900)

FOLDERS = ["donnaken15-charts/Amazing", "donnaken15-charts/Johnny Booth - Savannah"]
RIG = "ABCDEFG-HIJKLMN-OPQRSTU-VWXYZ23-4567ABC-DEFGHIJ-KLMNOPQ-RSTUVWX"
# What each table must hold alike after a restore (generated and trigger-kept columns
# included: they come back with the rows).
TABLES = {
    "songs": "SELECT id, title, artist, md5, chart_hash, revision, manifest_key, file_path, "
             "metadata, parts, search_words, duplicate_chart FROM songs ORDER BY id",
    "song_charts": "SELECT * FROM song_charts ORDER BY song_id, instrument, difficulty",
    "users": "SELECT id, username, password_hash, role FROM users ORDER BY id",
    "api_tokens": "SELECT id, name, token_sha256, role FROM api_tokens ORDER BY id",
    "custom_content": "SELECT id, kind, filename, state, sha256, content_path "
                      "FROM custom_content ORDER BY id",
    "rig_selections": "SELECT device_id, mode, song_ids FROM rig_selections ORDER BY device_id",
    "uploads": "SELECT id, filename, state FROM uploads ORDER BY id",
}


@contextmanager
def hub(workdir: Path, name: str, *, migrated: bool) -> Iterator[Stack]:
    """A stack of its own: database, RabbitMQ vhost, S3 server and folders."""
    database = f"chhub_{name}_{stack_module.SESSION}"
    url = stack_module.database_url(database)
    stack_module.drop_database(database)
    if migrated:
        stack_module.fresh_database(database)
    else:
        db.create_database(url)
    vhost = stack_module.fresh_vhost(f"chhub-{name}-{stack_module.SESSION}")
    port = stack_module.free_s3_port()
    s3 = stack_module.start_s3(workdir / "s3", port)
    running = Stack(stack_module.stack_env(workdir, database=url, broker=vhost,
                                           s3_endpoint=f"127.0.0.1:{port}"), workdir)
    try:
        yield running
    finally:
        running.stop_all()
        stack_module.stop(s3)
        stack_module.drop_vhost(f"chhub-{name}-{stack_module.SESSION}")
        stack_module.drop_database(database)


def add_song(stack: Stack, token: str, corpus: Path, folder: str, unique: str) -> str:
    data = zip_bytes(song_files(corpus / folder, unique))
    details = wait_for_upload(stack, upload(stack, token, data, f"{unique}.zip"))
    assert details["state"] == "completed", details
    return details["songs"][0]["song_id"]


def wait_for(predicate, what: str, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise TimeoutError(f"never: {what}")


def rows(stack: Stack) -> dict[str, list]:
    engine = create_engine(stack.env["CHHUB_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            return {table: [tuple(row) for row in connection.execute(text(query))]
                    for table, query in TABLES.items()}
    finally:
        engine.dispose()


def upload_in_progress(stack: Stack) -> uuid.UUID:
    """An upload the backup catches half-way, as the gateway records one it is receiving."""
    upload_id = uuid.uuid4()
    engine = create_engine(stack.env["CHHUB_DATABASE_URL"])
    try:
        with engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO uploads (id, filename, source, bucket, key, size, is_folder, state) "
                "VALUES (:id, 'pending.zip', 'gateway', 'chhub-uploads', :key, 10, false, "
                "'processing')"), {"id": upload_id, "key": f"uploads/{upload_id}/pending.zip"})
    finally:
        engine.dispose()
    return upload_id


def tree(root: Path) -> dict[str, str]:
    """Every file of the content folder → its sha256; its hidden staging areas aside, and the
    rigs' records of what they link, which name the linked folders' inodes on this disk."""
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*")) if path.is_file()
            and path.relative_to(root).parts[:2] not in {(".chhub", "incoming"),
                                                         (".chhub", "trash"),
                                                         (".chhub", "rigs")}}


def bucket_keys(stack: Stack) -> set[str]:
    client = s3_client(stack)
    pages = client.get_paginator("list_objects_v2").paginate(Bucket="chhub-songs")
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def backup(stack: Stack, dest: Path) -> dict[str, tuple[int, int]]:
    """Run `chhub backup`; what it copied and skipped, of manifests and of blobs."""
    output = stack.chhub("backup", str(dest)).stdout
    return {kind: tuple(map(int, re.search(
        rf"{kind}: copied (\d+) \(.*?\), (\d+) already", output).groups()))
        for kind in ("manifests", "blobs")}


def test_a_restored_hub_has_the_same_library_files_and_people(tmp_path, corpus, unique):
    dest = tmp_path / "backups"
    with hub(tmp_path / "original", "original", migrated=True) as original:
        original.chhub("setup")
        for service in stack_module.SERVICES:
            original.start(service)
        admin = (original.workdir / "admin-token").read_text().strip()
        headers = {"Authorization": f"Bearer {admin}"}
        first = add_song(original, admin, corpus, FOLDERS[0], f"{unique}-a")
        add_song(original, admin, corpus, FOLDERS[1], f"{unique}-b")
        edited = httpx.patch(f"{original.gateway_url}/api/songs/{first}", headers=headers,
                             json={"changes": {"name": f"Edited {unique}"}})
        assert edited.status_code == 202, edited.text

        def edit_published() -> bool:
            song = httpx.get(f"{original.gateway_url}/api/songs/{first}").json()
            return song["revision"] == 2 and (original.content_dir / song["file_path"]).is_dir()

        wait_for(edit_published, "the edit published")
        original.chhub("admin", "create", "--username", f"ada-{unique}", "--role", "viewer",
                       "--password", "a long enough password")
        uploader = original.chhub("token", "create", "--name", "bot").stdout.strip()
        upload_custom(original, admin, "backgrounds", f"stage-{unique}.png", png(unique))
        wait_for_item(original, "backgrounds", f"stage-{unique}.png", {"published"})
        chosen = httpx.post(f"{original.gateway_url}/sync/selection", headers=headers, data={
            "device_id": RIG, "name": "den", "mode": "songs",
            "songs": f"{original.gateway_url}/songs/{first}"})
        assert chosen.status_code == 200, chosen.text
        wait_for(lambda: (original.content_dir / "rigs").is_dir()
                 and rows(original)["rig_selections"], "the rig's own folder")

        copied = backup(original, dest)
        assert copied["blobs"][0] > 0 and copied["manifests"][0] == 3, copied
        again = backup(original, dest)
        assert again == {"manifests": (0, 3), "blobs": (0, copied["blobs"][0])}, again

        in_flight = upload_in_progress(original)
        before = bucket_keys(original)
        another = add_song(original, admin, corpus, FOLDERS[0], f"{unique}-c")
        new_blobs = {key for key in bucket_keys(original) - before if key.startswith("blobs/")}
        third = backup(original, dest)
        assert third["manifests"] == (1, 3)
        assert third["blobs"][0] == len(new_blobs) and 0 < len(new_blobs) < 3, new_blobs

        library, content, keys = rows(original), tree(original.content_dir), bucket_keys(original)
        assert library["users"] and len(library["api_tokens"]) == 2 and library["custom_content"]
        original.stop_all()

    with hub(tmp_path / "restored", "restored", migrated=False) as restored:
        output = restored.chhub("restore", str(dest)).stdout
        assert "1 upload(s) caught in progress: marked failed" in output
        library["uploads"] = [(row_id, name, "failed" if row_id == in_flight else state)
                              for row_id, name, state in library["uploads"]]
        assert rows(restored) == library
        assert bucket_keys(restored) == keys
        assert {k: v for k, v in tree(restored.content_dir).items()
                if not k.startswith(("rigs/", ".chhub/rigs/"))} == {
            k: v for k, v in content.items() if not k.startswith(("rigs/", ".chhub/rigs/"))}
        assert (restored.workdir / "admin-token").read_text().strip() == admin

        for service in stack_module.SERVICES:
            restored.start(service)
        wait_for(lambda: tree(restored.content_dir) == content, "the rig's folder rebuilt")
        song = httpx.get(f"{restored.gateway_url}/api/songs/{another}").json()
        assert song["revision"] == 1
        ended = httpx.get(f"{restored.gateway_url}/api/uploads/{in_flight}").json()
        assert ended["state"] == "failed" and "restore" in ended["error"], ended
        extra = add_song(restored, uploader, corpus, FOLDERS[1], f"{unique}-d")
        assert (restored.content_dir / httpx.get(
            f"{restored.gateway_url}/api/songs/{extra}").json()["file_path"]).is_dir()
