"""Safe extraction of good archives: every kind unpacked exactly, names made safe, and the test
RAR writer read back by every reader."""

from __future__ import annotations

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

from shared.songs.archives import UnsafeEntry, safe_name

# The repo root is not on sys.path under the plain `pytest` script; tests.support lives there.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.support.archives import (
    RAR_FIXTURES,
    SONG,
    extracted,
    write_7z,
    write_rar,
    write_zip,
)

pytestmark = pytest.mark.unit


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
