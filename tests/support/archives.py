"""Build zip, 7z and rar test archives, good and hostile, in a temporary directory, and extract
them the way the archive tests check what came out (or that nothing did)."""

from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

import py7zr
import pytest

from shared.songs.archives import ArchiveError, ExtractionLimits, extract_archive
from tests.support.rar_writer import write_rar

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
RAR_FIXTURES = FIXTURES / "rar"

__all__ = [
    "RAR_FIXTURES",
    "SONG",
    "extracted",
    "lie_about_zip_sizes",
    "refused",
    "rename_in_7z",
    "snapshot",
    "write_7z",
    "write_7z_with_symlink",
    "write_rar",
    "write_zip",
    "write_zip_with_symlink",
]


def write_zip(
    path: Path, files: Mapping[str, bytes], compression: int = zipfile.ZIP_DEFLATED
) -> Path:
    """A zip whose entry names are written exactly as given (zipfile does not clean them)."""
    with zipfile.ZipFile(path, "w", compression) as zf:
        for name, data in files.items():
            zf.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
    return path


def write_zip_with_symlink(path: Path, name: str, target: str) -> Path:
    """A zip made on Unix whose entry `name` is a symlink to `target` (mode in external_attr)."""
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("song.ini", b"[song]\n")
        zf.writestr(info, target)
    return path


def lie_about_zip_sizes(path: Path, declared_size: int) -> Path:
    """Rewrite every local and central header to claim `declared_size` unpacked bytes."""
    data = bytearray(path.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(signature)
        while at >= 0:
            struct.pack_into("<I", data, at + offset, declared_size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


def write_7z(path: Path, files: Mapping[str, bytes], *, plain_header: bool = False) -> Path:
    """A 7z archive; `plain_header` leaves the names readable so tests can patch them."""
    with py7zr.SevenZipFile(path, "w") as sz:
        if plain_header:
            sz.set_encoded_header_mode(False)
        for name, data in files.items():
            sz.writestr(data, name)
    return path


def write_7z_with_symlink(path: Path, workdir: Path) -> Path:
    """A 7z holding a file and a symlink to /etc/passwd (py7zr stores the link, not its target)."""
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "song.ini").write_bytes(b"[song]\n")
    os.symlink("/etc/passwd", workdir / "passwd")
    with py7zr.SevenZipFile(path, "w") as sz:
        sz.write(workdir / "song.ini", "song.ini")
        sz.write(workdir / "passwd", "passwd")
    return path


def rename_in_7z(path: Path, old: str, new: str) -> Path:
    """Swap an entry name of equal length in a plain-header 7z and fix the header CRCs.

    py7zr refuses to write names like "../evil", so hostile names are patched in afterwards.
    """
    before, after = old.encode("utf-16-le"), new.encode("utf-16-le")
    if len(before) != len(after):
        raise ValueError("names must have the same length")
    data = bytearray(path.read_bytes())
    at = data.find(before, 32)
    if at < 0:
        raise ValueError(f"{old!r} is not in a plain header")
    data[at : at + len(before)] = after
    next_offset, next_size = struct.unpack_from("<QQ", data, 12)
    header = data[32 + next_offset : 32 + next_offset + next_size]
    struct.pack_into("<I", data, 28, zlib.crc32(header))
    struct.pack_into("<I", data, 8, zlib.crc32(data[12:32]))
    path.write_bytes(bytes(data))
    return path


def snapshot(root: Path) -> set[str]:
    """Every path under `root`, so a test can prove nothing appeared or stayed behind."""
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


# A small song folder, its audio random so that it does not compress.
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
