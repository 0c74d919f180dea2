"""A song downloaded as `.sng` carries the metadata Clone Hero needs (read back by parse-sng,
as the scan-chart 7.0.1 and 8.0.1 harnesses ship it), and uploading that `.sng` again finds
the song already in the library instead of adding it twice."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.support.node_peer import installed_peer, scan_chart_8
from tests.support.songs import song_files, upload, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"


@pytest.fixture(scope="session")
def sng_readers(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """parse-sng from both reference harnesses, installed once and cached for reruns."""
    cache = Path(os.environ.get("CHHUB_SNG_PEER_DIR", "/tmp/chhub-sng-peer"))
    return [installed_peer(cache, "parse-sng", tmp_path_factory.mktemp("sng-peer")),
            scan_chart_8(tmp_path_factory.mktemp("scan-peer-8"))]


def published(stack, token: str, files: dict[str, bytes], name: str) -> str:
    details = wait_for_upload(stack, upload(stack, token, zip_bytes(files), name))
    [song] = details["songs"]
    assert song["stage"] == "published", details
    return song["song_id"]


def download_sng(stack, song_id: str) -> bytes:
    response = httpx.get(f"{stack.gateway_url}/songs/{song_id}/download.sng", timeout=60)
    assert response.status_code == 200, response.text
    return response.content


def parse_sng(reader: Path, path: Path) -> dict:
    run = subprocess.run(["node", str(reader / "sng.mjs"), str(path)], capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    return json.loads(run.stdout)


def test_a_song_without_song_ini_downloads_as_a_sng_clone_hero_can_list_and_play(
        stack, admin_token, corpus, unique, sng_readers, tmp_path):
    files = song_files(corpus / AMAZING, unique)
    del files["song.ini"]
    song_id = published(stack, admin_token, files, "no-ini.zip")
    path = tmp_path / "song.sng"
    path.write_bytes(download_sng(stack, song_id))
    for reader in sng_readers:
        package = parse_sng(reader, path)
        metadata = package["metadata"]
        # name and artist from the chart's [Song] section, the length measured from song.ogg
        assert (metadata["name"], metadata["artist"], metadata["genre"]) == \
            ("Amazing", "Neversoft", "Rock")
        assert int(metadata["song_length"]) == 42549  # song.ogg lasts 42.5485 s
        assert metadata["delay"] == "3000"
        # parse-sng lists the song.ini it writes from the metadata, as Clone Hero reads it
        assert sorted(f["name"] for f in package["files"]) == sorted([*files, "song.ini"])


def test_a_sng_exported_by_the_library_uploads_as_the_song_already_there(
        stack, admin_token, corpus, unique):
    files = song_files(corpus / AMAZING, unique)
    files["song.ini"] = b"; kept by hand\r\n[Song]\r\n" + files["song.ini"]
    song_id = published(stack, admin_token, files, "amazing.zip")
    details = wait_for_upload(stack, upload(stack, admin_token, download_sng(stack, song_id),
                                            "amazing.sng"))
    assert details["state"] == "completed", details
    [again] = details["songs"]
    assert (again["stage"], again["already_in_library_as"]) == ("duplicate", song_id)


def test_a_sng_with_other_audio_is_another_song(stack, admin_token, corpus, unique):
    from shared.songs.sng import read_sng, write_sng

    files = song_files(corpus / AMAZING, unique)
    song_id = published(stack, admin_token, files, "amazing.zip")
    package = read_sng(download_sng(stack, song_id))
    changed = {**package.files, f"chhub-test-{unique}.txt": b"another song"}
    details = wait_for_upload(stack, upload(stack, admin_token,
                                            write_sng(package.metadata, changed), "other.sng"))
    [other] = details["songs"]
    assert other["stage"] == "published", details
