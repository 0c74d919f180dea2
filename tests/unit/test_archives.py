"""Safe extraction: hostile archives refused leaving nothing behind, good ones unpacked exactly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import rarfile
from hypothesis import given
from hypothesis import strategies as st

from shared.songs.archives import (
    ArchiveError,
    ArchiveTooLarge,
    CorruptArchive,
    EmptyArchive,
    EncryptedArchive,
    ExtractionLimits,
    NotAnArchive,
    UnsafeEntry,
    detect_format,
    extract_archive,
    safe_name,
)

# The repo root is not on sys.path under the plain `pytest` script; tests.support lives there.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.support.archives import (
    RAR_FIXTURES,
    lie_about_zip_sizes,
    rename_in_7z,
    snapshot,
    write_7z,
    write_7z_with_symlink,
    write_rar,
    write_zip,
    write_zip_with_symlink,
)

pytestmark = pytest.mark.unit

MIB = 1024 * 1024
SONG = {
    "Band - Song/song.ini": b"[song]\nname = Song\n",
    "Band - Song/notes.chart": b"[Song]\n{\n  Resolution = 192\n}\n",
    "Band - Song/song.ogg": os.urandom(200_000),
}


def refused(archive: Path, error: type[ArchiveError], limits=ExtractionLimits()) -> ArchiveError:
    """Extract into a fresh `dest`, expect `error`, and prove nothing was left anywhere."""
    root = archive.parent
    before = snapshot(root)
    with pytest.raises(error) as caught:
        extract_archive(archive, root / "dest", limits)
    assert snapshot(root) == before
    reason = caught.value.reason
    assert reason[0].isupper() and reason.endswith(".") and len(reason.split()) >= 5, reason
    return caught.value


def extracted(archive: Path, limits=ExtractionLimits()) -> dict[str, bytes]:
    dest = archive.parent / "dest"
    written = extract_archive(archive, dest, limits)
    on_disk = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert written == on_disk
    assert not any(p.is_symlink() for p in dest.rglob("*"))
    return {name: (dest / name).read_bytes() for name in written}


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


# --- good inputs ----------------------------------------------------------------------------


def test_a_zip_unpacks_byte_for_byte_with_nested_folders_and_unicode_names(tmp_path):
    files = {**SONG, "Pack/Ünïcødé - 曲/notes.mid": b"MThd", "Pack/Ünïcødé - 曲/Sub/a.png": b"png"}
    archive = write_zip(tmp_path / "up.zip", {**files, "Pack/": b""})

    assert extracted(archive) == files


def test_a_7z_unpacks_byte_for_byte_including_empty_files(tmp_path):
    files = {**SONG, "Band - Song/empty.txt": b"", "Sóng/Sub/notes.mid": b"MThd"}

    assert extracted(write_7z(tmp_path / "up.7z", files)) == files


def test_windows_separators_become_slashes(tmp_path):
    archive = write_zip(tmp_path / "up.zip", {"Band\\Song\\notes.chart": b"x"})

    assert extracted(archive) == {"Band/Song/notes.chart": b"x"}


def test_decomposed_unicode_names_are_stored_composed(tmp_path):
    decomposed = unicodedata.normalize("NFD", "Beyoncé/notes.chart")
    archive = write_zip(tmp_path / "up.zip", {decomposed: b"x"})

    assert list(extracted(archive)) == ["Beyoncé/notes.chart"]


def test_utf8_names_without_the_utf8_flag_are_read_as_utf8(tmp_path):
    archive = tmp_path / "up.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Motörhead/notes.chart", b"x")
    data = archive.read_bytes()  # zipfile set the flag; clear it as old Windows tools do
    archive.write_bytes(data.replace(b"\x00\x08\x00\x00", b"\x00\x00\x00\x00"))

    assert list(extracted(archive)) == ["Motörhead/notes.chart"]


@pytest.mark.parametrize("fixture", ["rar3-subdirs.rar", "rar5-subdirs.rar"])
def test_rar_fixtures_unpack_with_their_sub_folders_and_unicode_names(tmp_path, fixture):
    archive = Path(shutil.copy(RAR_FIXTURES / fixture, tmp_path / fixture))

    assert extracted(archive) == {
        "sub/dir1/file1.txt": b"file1\n",
        "sub/dir2/file2.txt": b"file2\n",
        "sub/with space/long fn.txt": b"long fn\n",
        "sub/üȵĩöḋè/file.txt": b"file\n",
    }


@pytest.mark.parametrize("fixture", ["rar5-solid.rar", "rar3-solid.rar"])
def test_solid_rars_unpack_through_libarchive_or_unar(tmp_path, fixture):
    archive = Path(shutil.copy(RAR_FIXTURES / fixture, tmp_path / fixture))

    files = extracted(archive)

    assert sorted(files) == ["stest1.txt", "stest2.txt"]
    assert files["stest1.txt"] == files["stest2.txt"] and len(files["stest1.txt"]) == 2048


def test_extraction_runs_safely_in_parallel_worker_threads(tmp_path):
    def job(i: int) -> dict[str, bytes]:
        (tmp_path / str(i)).mkdir()
        return extracted(write_zip(tmp_path / str(i) / "up.zip", {f"{i}/notes.chart": bytes([i])}))

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(job, range(8)))

    assert results == [{f"{i}/notes.chart": bytes([i])} for i in range(8)]


# --- the test RAR writer --------------------------------------------------------------------

WRITER_FILES = {**SONG, "Sóng/ü.ini": b"[song]\n", "empty.txt": b""}


def test_the_rar_writer_is_read_back_by_extract_archive(tmp_path):
    assert extracted(write_rar(tmp_path / "up.rar", WRITER_FILES)) == WRITER_FILES


def test_the_rar_writer_is_read_back_by_rarfile(tmp_path):
    with rarfile.RarFile(write_rar(tmp_path / "up.rar", WRITER_FILES)) as rf:
        assert {info.filename: rf.read(info) for info in rf.infolist()} == WRITER_FILES


def test_the_rar_writer_is_read_back_by_unar(tmp_path):
    archive = write_rar(tmp_path / "up.rar", WRITER_FILES)
    subprocess.run(["unar", "-q", "-D", "-o", str(tmp_path / "out"), str(archive)], check=True)

    assert {name: (tmp_path / "out" / name).read_bytes() for name in WRITER_FILES} == WRITER_FILES


# --- names ----------------------------------------------------------------------------------


@given(st.text(alphabet=st.sampled_from("ab./\\:C\x00é"), max_size=20))
def test_a_safe_name_never_leaves_the_destination(raw):
    try:
        name = safe_name(raw)
    except UnsafeEntry:
        return
    dest = Path("/srv/dest")
    assert not name.startswith("/") and ".." not in name.split("/") and "\\" not in name
    assert (dest / name).resolve().is_relative_to(dest)
