"""A song file with a name no Windows rig can store is published under a clean name, and a song
kept from before names were cleaned answers its `.sng` download with a reason, not a crash."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import httpx
from sqlalchemy import text

from shared.manifest import blob_key
from shared.songs.sng import read_sng
from tests.support.songs import upload, wait_for_upload, zip_bytes

CHART = """[Song]
{
  Resolution = 192
}
[SyncTrack]
{
  0 = TS 4
  0 = B 120000
}
[ExpertSingle]
{
  768 = N 0 0
  960 = N 1 0
  1152 = N 2 0
}
"""
HOSTILE = "<img src=x onerror=alert(9)>.txt"
CLEAN = "_img src=x onerror=alert(9)_.txt"
SONGS_BUCKET = "chhub-songs"


def published_song(stack, token: str, unique: str) -> dict:
    files = {"notes.chart": CHART.encode(), HOSTILE: b"hostile",
             "song.ini": f"[song]\nname = Hostile {unique}\nartist = Test\n".encode()}
    details = wait_for_upload(stack, upload(stack, token, zip_bytes(files), "hostile.zip"))
    [song] = details["songs"]
    assert song["stage"] == "published", details
    return song


def test_a_hostile_file_name_is_published_clean_and_the_song_packs_as_sng(
        stack, admin_token, unique):
    song = published_song(stack, admin_token, unique)
    base = f"{stack.gateway_url}/songs/{song['song_id']}"

    names = zipfile.ZipFile(io.BytesIO(httpx.get(f"{base}/download.zip").content)).namelist()
    assert any(name.endswith("/" + CLEAN) for name in names), names
    assert not any(HOSTILE in name for name in names)
    assert list(stack.content_dir.rglob(CLEAN)) and not list(stack.content_dir.rglob(HOSTILE))
    sng = httpx.get(f"{base}/download.sng")
    assert sng.status_code == 200
    assert read_sng(sng.content).files[CLEAN] == b"hostile"


def test_the_sng_download_of_a_song_kept_with_a_hostile_name_is_refused_with_a_reason(
        stack, admin_token, unique, s3, catalog):
    song = published_song(stack, admin_token, unique)
    with catalog.connect() as connection:
        key = connection.execute(text("SELECT manifest_key FROM songs WHERE id = :id"),
                                 {"id": song["song_id"]}).scalar_one()
    # The manifest as ingest wrote it before it cleaned names: the file under its raw name.
    manifest = json.loads(s3.get_object(Bucket=SONGS_BUCKET, Key=key)["Body"].read())
    for entry in manifest["files"]:
        if entry["name"] == CLEAN:
            entry["name"] = HOSTILE
    legacy_key = key.replace(".json", "-legacy.json")
    s3.put_object(Bucket=SONGS_BUCKET, Key=legacy_key, Body=json.dumps(manifest).encode())
    with catalog.begin() as connection:
        connection.execute(text("UPDATE songs SET manifest_key = :key WHERE id = :id"),
                           {"key": legacy_key, "id": song["song_id"]})
    assert s3.head_object(Bucket=SONGS_BUCKET,
                          Key=blob_key(hashlib.sha256(b"hostile").hexdigest()))

    answer = httpx.get(f"{stack.gateway_url}/songs/{song['song_id']}/download.sng")

    assert answer.status_code == 422, answer.text
    assert "cannot be packed as a .sng" in answer.json()["detail"]
    assert "forbidden character '<'" in answer.json()["detail"]
