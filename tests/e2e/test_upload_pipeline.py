"""Songs uploaded over HTTP flow through separate gateway, ingest, catalog and sync processes
into PostgreSQL and the content folder."""

from __future__ import annotations

import uuid
from pathlib import Path

import py7zr
from sqlalchemy import text

from shared.layout import song_folder
from tests.support.rar_writer import rar_bytes
from tests.support.songs import song_files, upload, upload_folder, wait_for_upload, zip_bytes

AMAZING = "donnaken15-charts/Amazing"


def song_row(catalog, song_id: str):
    with catalog.connect() as connection:
        return connection.execute(text("SELECT * FROM songs WHERE id = :id"),
                                  {"id": song_id}).mappings().one_or_none()


def assert_published(stack, catalog, details, files: dict[str, bytes]) -> Path:
    assert details["state"] == "completed", details
    [song] = details["songs"]
    assert song["stage"] == "published"
    row = song_row(catalog, song["song_id"])
    assert row is not None
    assert row["file_path"] == song_folder(row["artist"], row["title"], uuid.UUID(song["song_id"]))
    folder = stack.content_dir / row["file_path"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(files)
    for name, data in files.items():
        assert (folder / name).read_bytes() == data
    return folder


def test_a_zip_of_a_real_song_is_cataloged_and_published(stack, admin_token, corpus, catalog,
                                                         unique):
    files = song_files(corpus / AMAZING, unique)
    details = wait_for_upload(stack, upload(stack, admin_token, zip_bytes(files), "amazing.zip"))
    folder = assert_published(stack, catalog, details, files)
    assert folder.relative_to(stack.content_dir).parts[:2] == ("songs", "Neversoft")
    assert folder.name.startswith("Amazing_")


def test_a_7z_archive_is_cataloged_and_published(stack, admin_token, corpus, catalog, unique,
                                                 tmp_path):
    files = song_files(corpus / AMAZING, unique)
    archive = tmp_path / "song.7z"
    with py7zr.SevenZipFile(archive, "w") as seven:
        for name, data in files.items():
            seven.writestr(data, f"Amazing/{name}")
    details = wait_for_upload(stack, upload(stack, admin_token, archive.read_bytes(), "song.7z"))
    assert_published(stack, catalog, details, files)


def test_a_rar_archive_is_cataloged_and_published(stack, admin_token, corpus, catalog, unique):
    files = song_files(corpus / AMAZING, unique)
    data = rar_bytes({f"Amazing/{name}": content for name, content in files.items()})
    details = wait_for_upload(stack, upload(stack, admin_token, data, "song.rar"))
    assert_published(stack, catalog, details, files)


def test_a_folder_upload_is_cataloged_and_published(stack, admin_token, corpus, catalog, unique):
    files = song_files(corpus / AMAZING, unique)
    upload_id = upload_folder(stack, admin_token,
                              {f"Amazing/{name}": data for name, data in files.items()})
    assert_published(stack, catalog, wait_for_upload(stack, upload_id), files)


def test_a_sng_file_is_cataloged_and_published(stack, admin_token, corpus, catalog, unique):
    from shared.songs.sng import folder_to_sng, sng_to_folder

    files = song_files(corpus / AMAZING, unique)
    container = folder_to_sng(files)
    details = wait_for_upload(stack, upload(stack, admin_token, container, "amazing.sng"))
    assert_published(stack, catalog, details, sng_to_folder(container))


def test_a_pack_of_three_songs_gives_three_songs_and_again_gives_none(
        stack, admin_token, corpus, catalog, unique):
    folders = {"Amazing": AMAZING,
               "Crowd Control": "donnaken15-charts/Johnny Booth - Crowd Control",
               "Savannah": "donnaken15-charts/Johnny Booth - Savannah"}
    pack = {f"Pack/{title}/{name}": data
            for title, folder in folders.items()
            for name, data in song_files(corpus / folder, unique).items()}
    first = wait_for_upload(stack, upload(stack, admin_token, zip_bytes(pack), "pack.zip"))
    assert first["state"] == "completed"
    assert sorted(s["stage"] for s in first["songs"]) == ["published"] * 3
    with catalog.connect() as connection:
        before = connection.execute(text("SELECT count(*) FROM songs")).scalar()

    again = wait_for_upload(stack, upload(stack, admin_token, zip_bytes(pack), "pack.zip"))
    assert again["state"] == "completed"
    assert [s["stage"] for s in again["songs"]] == ["duplicate"] * 3
    first_ids = {s["song_id"] for s in first["songs"]}
    assert {s["already_in_library_as"] for s in again["songs"]} == first_ids
    with catalog.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM songs")).scalar() == before


def test_two_songs_sharing_an_audio_file_store_its_bytes_once(stack, admin_token, corpus,
                                                              catalog, unique):
    import hashlib

    from minio import Minio

    audio = f"shared audio {unique}".encode() * 1000
    pack = {}
    for title, folder in {"A": AMAZING, "B": "donnaken15-charts/Johnny Booth - Savannah"}.items():
        for name, data in song_files(corpus / folder, f"{unique}{title}", **{"guitar.ogg": audio}
                                     ).items():
            pack[f"{title}/{name}"] = data
    details = wait_for_upload(stack, upload(stack, admin_token, zip_bytes(pack), "two.zip"))
    assert [s["stage"] for s in details["songs"]] == ["published", "published"]
    digest = hashlib.sha256(audio).hexdigest()
    client = Minio(endpoint=stack.env["CHHUB_S3_ENDPOINT"],
                   access_key=stack.env["AWS_ACCESS_KEY_ID"],
                   secret_key=stack.env["AWS_SECRET_ACCESS_KEY"], secure=False)
    keys = [o.object_name for o in client.list_objects(bucket_name="chhub-songs",
                                                        prefix="blobs/", recursive=True)
            if digest in o.object_name]
    assert keys == [f"blobs/{digest[:2]}/{digest}"]
    for song in details["songs"]:
        folder = stack.content_dir / song_row(catalog, song["song_id"])["file_path"]
        assert (folder / "guitar.ogg").read_bytes() == audio
