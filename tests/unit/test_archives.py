"""Safe extraction of bad archives: each kind told apart by its bytes, and every hostile or
broken one refused with a reason, leaving nothing behind (good ones: test_archives_unpacked)."""

from __future__ import annotations

import os
import shutil
import sys
import zipfile
from pathlib import Path

import pytest

from shared.songs.archives import (
    ArchiveTooLarge,
    CorruptArchive,
    EmptyArchive,
    EncryptedArchive,
    ExtractionLimits,
    NotAnArchive,
    UnsafeEntry,
    detect_format,
)

# The repo root is not on sys.path under the plain `pytest` script; tests.support lives there.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.support.archives import (
    RAR_FIXTURES,
    SONG,
    extracted,
    lie_about_zip_sizes,
    refused,
    rename_in_7z,
    write_7z,
    write_7z_with_symlink,
    write_rar,
    write_zip,
    write_zip_with_symlink,
)

pytestmark = pytest.mark.unit

MIB = 1024 * 1024


# --- detection ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "fmt"),
    [
        (b"PK\x03\x04rest", "zip"),
        (b"PK\x05\x06" + bytes(18), "zip"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "7z"),
        (b"Rar!\x1a\x07\x00\xcf", "rar"),
        (b"Rar!\x1a\x07\x01\x00", "rar"),
        (b"SNGPKG\x01\x00", "sng"),
        (b"\x89PNG\r\n\x1a\n", "unknown"),
        (b"", "unknown"),
    ],
)
def test_the_format_is_told_by_its_magic_bytes(head, fmt):
    assert detect_format(head, "upload.bin") == fmt


def test_a_wrong_extension_does_not_fool_detection():
    assert detect_format(b"7z\xbc\xaf\x27\x1c", "song.zip") == "7z"
    assert detect_format(b"not a zip at all", "song.zip") == "unknown"


# --- bad inputs -----------------------------------------------------------------------------


def test_random_bytes_named_zip_are_not_an_archive(tmp_path):
    archive = tmp_path / "song.zip"
    archive.write_bytes(os.urandom(4096))

    refused(archive, NotAnArchive)


def test_an_sng_file_is_a_song_and_not_an_archive_to_extract(tmp_path):
    archive = tmp_path / "song.sng"
    archive.write_bytes(b"SNGPKG" + bytes(100))

    refused(archive, NotAnArchive)


def test_a_truncated_zip_is_corrupt(tmp_path):
    archive = write_zip(tmp_path / "up.zip", SONG)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])

    refused(archive, CorruptArchive)


def test_a_zip_with_a_bad_crc_is_corrupt_names_the_file_and_leaves_no_partial_output(tmp_path):
    archive = write_zip(tmp_path / "up.zip", SONG, zipfile.ZIP_STORED)
    data = bytearray(archive.read_bytes())
    data[data.find(SONG["Band - Song/song.ogg"]) + 1000] ^= 0xFF
    archive.write_bytes(bytes(data))

    error = refused(archive, CorruptArchive)

    assert error.reason.startswith("The archive is damaged or incomplete (zip: ")
    assert "song.ogg" in error.reason


def test_a_truncated_7z_is_corrupt(tmp_path):
    archive = write_7z(tmp_path / "up.7z", SONG)
    archive.write_bytes(archive.read_bytes()[:-40])

    refused(archive, CorruptArchive)


def test_a_truncated_rar_is_corrupt(tmp_path):
    archive = write_rar(tmp_path / "up.rar", SONG)
    archive.write_bytes(archive.read_bytes()[:-5000])

    refused(archive, CorruptArchive)


@pytest.mark.parametrize(
    "name",
    [
        "../evil.txt",
        "Song/../../evil.txt",
        "..\\evil.txt",
        "Song\\..\\..\\evil.txt",
        "C:\\Windows\\evil.txt",
        "C:evil.txt",
        "/tmp/evil.txt",
    ],
)
def test_a_zip_entry_that_climbs_out_is_unsafe(tmp_path, name):
    archive = write_zip(tmp_path / "up.zip", {"Song/notes.chart": b"x", name: b"evil"})

    refused(archive, UnsafeEntry)


def test_a_zip_entry_with_the_absolute_path_of_a_real_folder_is_unsafe(tmp_path):
    archive = write_zip(tmp_path / "up.zip", {str(tmp_path / "evil.txt"): b"evil"})

    refused(archive, UnsafeEntry)


@pytest.mark.parametrize("name", ["../evil.txt", "..\\evil.txt"])
def test_a_7z_entry_that_climbs_out_is_unsafe(tmp_path, name):
    files = {"ok.txt": b"ok", "xx_evil.txt": b"evil"}
    archive = write_7z(tmp_path / "up.7z", files, plain_header=True)
    rename_in_7z(archive, "xx_evil.txt", name)

    refused(archive, UnsafeEntry)


def test_a_rar_that_turns_hostile_halfway_removes_what_it_already_wrote(tmp_path):
    archive = write_rar(tmp_path / "up.rar", {**SONG, "../evil.txt": b"evil"})

    refused(archive, UnsafeEntry)


def test_a_symlink_entry_in_a_zip_is_unsafe(tmp_path):
    archive = write_zip_with_symlink(tmp_path / "up.zip", "song.ogg", "/etc/passwd")

    refused(archive, UnsafeEntry)


def test_a_symlink_entry_in_a_7z_is_unsafe(tmp_path):
    archive = write_7z_with_symlink(tmp_path / "up.7z", tmp_path / "build")
    shutil.rmtree(tmp_path / "build")

    refused(archive, UnsafeEntry)


@pytest.mark.parametrize(
    "fixture",
    [
        "rar3-symlink-unix.rar",
        "rar5-symlink-unix.rar",
        "rar5-evil-symlink-traversal.rar",
        "rar5-hlink.rar",
    ],
)
def test_rar_symlinks_and_hard_links_are_unsafe(tmp_path, fixture):
    archive = Path(shutil.copy(RAR_FIXTURES / fixture, tmp_path / fixture))

    refused(archive, UnsafeEntry)


@pytest.mark.parametrize("fixture", ["rar5-psw.rar", "rar5-hpsw.rar", "rar3-comment-psw.rar"])
def test_a_password_protected_rar_is_refused_as_encrypted(tmp_path, fixture):
    archive = Path(shutil.copy(RAR_FIXTURES / fixture, tmp_path / fixture))

    refused(archive, EncryptedArchive)


def test_the_same_entry_twice_is_refused_rather_than_overwritten(tmp_path):
    archive = write_zip(tmp_path / "up.zip", {"Song/notes.chart": b"a", "Song\\notes.chart": b"b"})

    refused(archive, UnsafeEntry)


def test_a_name_that_is_both_a_file_and_a_folder_is_unsafe(tmp_path):
    archive = write_zip(tmp_path / "up.zip", {"Song": b"file", "Song/notes.chart": b"x"})

    refused(archive, UnsafeEntry)


# --- bombs ----------------------------------------------------------------------------------


def test_a_zip_declaring_more_bytes_than_allowed_is_too_large(tmp_path):
    archive = write_zip(tmp_path / "up.zip", SONG)

    refused(archive, ArchiveTooLarge, ExtractionLimits(max_total_bytes=100_000))


def test_a_rar_is_stopped_by_the_byte_counter_while_streaming(tmp_path):
    # libarchive gives no listing up front, so only the streaming counter can stop this one.
    archive = write_rar(tmp_path / "up.rar", {"a.bin": os.urandom(MIB), "b.bin": os.urandom(MIB)})

    refused(archive, ArchiveTooLarge, ExtractionLimits(max_total_bytes=MIB + 10))


def test_too_many_entries_is_too_large(tmp_path):
    archive = write_zip(tmp_path / "up.zip", {f"Song/{i}.txt": b"x" for i in range(11)})

    error = refused(archive, ArchiveTooLarge, ExtractionLimits(max_entries=10))

    assert "10 entries" in error.reason


def test_one_highly_compressible_entry_is_a_bomb_even_in_a_big_archive(tmp_path):
    noise = os.urandom(3 * MIB)  # keeps the whole-archive ratio low
    archive = write_zip(tmp_path / "up.zip", {"song.ogg": noise, "notes.chart": bytes(3 * MIB)})

    error = refused(archive, ArchiveTooLarge, ExtractionLimits(max_ratio=50))

    assert "'notes.chart'" in error.reason


def test_a_7z_that_expands_far_beyond_its_own_size_is_a_bomb(tmp_path):
    archive = write_7z(tmp_path / "up.7z", {"zeros.bin": bytes(5 * MIB)})

    refused(archive, ArchiveTooLarge)


def test_small_files_may_compress_beyond_the_ratio(tmp_path):
    archive = write_zip(tmp_path / "up.zip", {"notes.chart": b"N 0 0\n" * 100_000})

    assert list(extracted(archive, ExtractionLimits(max_ratio=2))) == ["notes.chart"]


def test_a_zip_whose_headers_understate_the_size_is_corrupt_not_extracted(tmp_path):
    # zipfile stops at the declared size and then fails the CRC, so a lying header can
    # never write more than it declares; the declared total is checked up front.
    archive = lie_about_zip_sizes(write_zip(tmp_path / "up.zip", {"big.bin": bytes(5 * MIB)}), 1000)

    refused(archive, CorruptArchive, ExtractionLimits(max_total_bytes=MIB))


@pytest.mark.parametrize(
    "build",
    [
        lambda p: write_zip(p / "up.zip", {}),
        lambda p: write_zip(p / "up.zip", {"Song/": b"", "Song/Sub/": b""}),
        lambda p: write_7z(p / "up.7z", {}),
        lambda p: write_rar(p / "up.rar", {}),
    ],
    ids=["zip", "zip-of-folders", "7z", "rar"],
)
def test_an_archive_without_files_is_empty(tmp_path, build):
    refused(build(tmp_path), EmptyArchive)


def test_a_failure_leaves_an_existing_destination_in_place_and_empty(tmp_path):
    archive = write_zip(tmp_path / "up.zip", {**SONG, "../evil.txt": b"x"})
    (tmp_path / "dest").mkdir()

    refused(archive, UnsafeEntry)

    assert list((tmp_path / "dest").iterdir()) == []
