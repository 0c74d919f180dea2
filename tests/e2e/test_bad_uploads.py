"""Every bad upload ends with a reason a person understands, the original stays for inspection,
nothing is written outside the upload's staging area, and everything else goes on."""

from __future__ import annotations

import io
import os
import zipfile

import httpx
import pytest
from minio import Minio

from services.ingest.consumers.unpack import NO_SONGS
from services.ingest.staging import NOT_AN_ARCHIVE
from shared.songs.song_folders import MISSING_CHART_REASON
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"


def files_outside_staging(stack) -> set[str]:
    """Every file the system wrote under its work folder, except staging and the S3 data."""
    skipped = {stack.staging_dir}
    found = set()
    for root, _, names in os.walk(stack.workdir):
        if any(str(root).startswith(str(s)) for s in skipped):
            continue
        found |= {os.path.join(root, name) for name in names}
    return found


@pytest.fixture
def written_before(stack):
    return files_outside_staging(stack)


def assert_failed_cleanly(stack, details, reason_part: str, written_before: set[str]) -> None:
    assert details["state"] == "failed", details
    assert reason_part in details["error"]
    new = files_outside_staging(stack) - written_before
    assert not [path for path in new if not path.endswith(".log")], new
    client = Minio(endpoint=stack.env["CHHUB_S3_ENDPOINT"],
                   access_key=stack.env["AWS_ACCESS_KEY_ID"],
                   secret_key=stack.env["AWS_SECRET_ACCESS_KEY"], secure=False)
    kept = list(client.list_objects(bucket_name="chhub-uploads",
                                    prefix=f"gateway/{details['id']}/", recursive=True))
    assert kept, "the original must stay in the uploads bucket for inspection"


def test_a_file_that_is_not_an_archive_fails_with_a_reason(stack, admin_token, written_before):
    details = wait_for_upload(stack, upload(stack, admin_token, os.urandom(4096), "song.zip"))
    assert_failed_cleanly(stack, details, NOT_AN_ARCHIVE, written_before)


def test_a_truncated_zip_fails_as_damaged(stack, admin_token, corpus, unique, written_before):
    data = zip_bytes(song_files(corpus / AMAZING, unique))
    details = wait_for_upload(stack, upload(stack, admin_token, data[: len(data) // 2],
                                            "half.zip"))
    assert_failed_cleanly(stack, details, "damaged or incomplete", written_before)


def test_an_entry_climbing_out_of_its_folder_is_refused(stack, admin_token, corpus, unique,
                                                        written_before):
    files = {f"Song/{n}": d for n, d in song_files(corpus / AMAZING, unique).items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(zipfile.ZipInfo(f"../../escaped-{unique}.txt"), b"evil")
    details = wait_for_upload(stack, upload(stack, admin_token, buffer.getvalue(), "evil.zip"))
    assert_failed_cleanly(stack, details, "points outside its folder", written_before)
    assert not list(stack.workdir.parent.rglob(f"escaped-{unique}.txt"))


def test_a_zip_bomb_is_refused(stack, admin_token, written_before):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Song/notes.chart", b"\0" * (64 * 1024 * 1024))
    details = wait_for_upload(stack, upload(stack, admin_token, buffer.getvalue(), "bomb.zip"))
    assert_failed_cleanly(stack, details, "zip bomb", written_before)


def test_an_archive_without_a_song_fails_with_a_reason(stack, admin_token, unique,
                                                       written_before):
    data = zip_bytes({"readme.txt": unique.encode(), "pictures/cover.png": b"png"})
    details = wait_for_upload(stack, upload(stack, admin_token, data, "nothing.zip"))
    assert_failed_cleanly(stack, details, NO_SONGS, written_before)


def test_a_song_without_a_chart_fails_while_the_rest_of_its_pack_goes_on(
        stack, admin_token, corpus, unique):
    good = {f"Good/{n}": d for n, d in song_files(corpus / AMAZING, unique).items()}
    bad = {"No Chart/song.ini": b"[song]\nname = No Chart\nartist = Nobody\n"}
    details = wait_for_upload(stack, upload(stack, admin_token, zip_bytes({**good, **bad}),
                                            "mixed.zip"))
    assert details["state"] == "completed_with_errors", repr(details)
    stages = {song["folder"]: (song["stage"], song["error"]) for song in details["songs"]}
    assert stages["Good"] == ("published", None)
    assert stages["No Chart"] == ("failed", MISSING_CHART_REASON)


def test_an_upload_without_a_token_is_refused(stack):
    response = httpx.post(f"{stack.gateway_url}/api/uploads/", files={"file": ("a.zip", b"x")})
    assert response.status_code == 401


def test_an_upload_with_a_viewer_token_is_refused(stack):
    viewer = stack.chhub("token", "create", "--name", "viewer", "--role", "viewer").stdout.strip()
    response = httpx.post(f"{stack.gateway_url}/api/uploads/", files={"file": ("a.zip", b"x")},
                          headers={"Authorization": f"Bearer {viewer}"})
    assert response.status_code == 403
