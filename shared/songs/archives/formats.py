"""Reading each archive format into a sink: zip (zipfile), 7z (py7zr) and rar (libarchive, or
rarfile with `unar` for solid RAR 4)."""

from __future__ import annotations

import lzma
import stat
import zipfile
import zlib
from pathlib import Path

import libarchive
import libarchive.exception
import py7zr
import py7zr.exceptions
import py7zr.io
import rarfile

from shared.songs.archives.rules import (
    ArchiveTooLarge,
    UnsafeEntry,
    damaged,
    link_refused,
    password_needed,
    safe_name,
    size_text,
)
from shared.songs.archives.sink import EntryWriter, Sink, read_chunks


# --- zip -------------------------------------------------------------------------------------
def _zip_name(info: zipfile.ZipInfo) -> str:
    """Many tools write UTF-8 names without setting the UTF-8 flag; zipfile read them as cp437."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        return info.filename.encode("cp437").decode("utf-8")
    except UnicodeError:
        return info.filename


def _zip_is_special(info: zipfile.ZipInfo) -> bool:
    kind = stat.S_IFMT(info.external_attr >> 16)
    return kind not in (0, stat.S_IFREG, stat.S_IFDIR)


def _extract_zip(archive: Path, sink: Sink) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            names = [sink.admit(_zip_name(info)) for info in infos]
            for info, name in zip(infos, names, strict=True):
                if _zip_is_special(info):
                    raise link_refused(name)
            sink.check_declared(sum(info.file_size for info in infos))
            for info, name in zip(infos, names, strict=True):
                if info.is_dir():
                    continue
                with zf.open(info) as src:
                    sink.write(name, read_chunks(src), info.compress_size)
    except RuntimeError as e:
        if "password" not in str(e):
            raise
        raise password_needed() from e
    except (zipfile.BadZipFile, EOFError, zlib.error, lzma.LZMAError, NotImplementedError) as e:
        raise damaged("zip", e) from e


# --- 7z --------------------------------------------------------------------------------------


class _SevenZipOut(py7zr.io.Py7zIO):
    """Lets py7zr write into the sink instead of opening paths itself."""

    def __init__(self, writer: EntryWriter):
        self.writer = writer

    def write(self, s: bytes | bytearray) -> int:
        return self.writer.write(bytes(s))

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        pass

    def size(self) -> int:
        return self.writer.written

    def close(self) -> None:
        self.writer.close()


class _SevenZipWriters(py7zr.io.WriterFactory):
    def __init__(self, sink: Sink):
        self.sink = sink

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        return _SevenZipOut(self.sink.open(safe_name(filename)))


def _extract_7z(archive: Path, sink: Sink) -> None:
    try:
        # Passing an open file (not a path) keeps py7zr single-threaded, so our errors surface.
        with archive.open("rb") as fp, py7zr.SevenZipFile(
            fp, max_extract_size=sink.limits.max_total_bytes
        ) as sz:
            entries = list(sz.files)
            for entry in entries:
                name = sink.admit(entry.filename)
                if entry.is_symlink or entry.is_junction or entry.st_fmt not in (
                    None, stat.S_IFREG, stat.S_IFDIR,
                ):
                    raise link_refused(name)
            sink.check_declared(sum(e.uncompressed for e in entries if not e.is_directory))
            sz.extractall(factory=_SevenZipWriters(sink))
    except py7zr.exceptions.PasswordRequired as e:
        raise password_needed() from e
    except py7zr.exceptions.DecompressionBombError as e:
        allowed = size_text(sink.limits.max_total_bytes)
        raise ArchiveTooLarge(f"The archive unpacks to more than the {allowed} allowed.") from e
    except py7zr.exceptions.AbsolutePathError as e:
        raise UnsafeEntry("The archive holds an entry with an absolute path.") from e
    except (py7zr.exceptions.ArchiveError, EOFError, lzma.LZMAError, zlib.error) as e:
        raise damaged("7z", e) from e


# --- rar -------------------------------------------------------------------------------------


def _extract_rar(archive: Path, sink: Sink) -> None:
    try:
        _extract_with_libarchive(archive, sink)
    except libarchive.exception.ArchiveError as e:
        if "solid" not in e.msg.lower():
            # libarchive's messages for encrypted entries vary; rarfile reads the flags itself.
            if _rar_needs_password(archive):
                raise password_needed() from e
            raise damaged("rar", ValueError(e.msg)) from e
        # The system libarchive cannot read solid RAR 4 archives: start again with unar.
        sink.discard()
        _extract_with_rarfile(archive, sink)


def _rar_needs_password(archive: Path) -> bool:
    try:
        with rarfile.RarFile(archive) as rf:
            return rf.needs_password()
    except (rarfile.Error, EOFError):
        return False


def _extract_with_libarchive(archive: Path, sink: Sink) -> None:
    with archive.open("rb") as fp:
        rar5 = fp.read(8).startswith(b"Rar!\x1a\x07\x01")
    with libarchive.file_reader(str(archive), format_name="rar5" if rar5 else "rar") as entries:
        for entry in entries:
            name = sink.admit(entry.pathname)
            # Hard links report as regular files too, so links are ruled out first.
            if entry.issym or entry.islnk or not (entry.isdir or entry.isfile):
                raise link_refused(name)
            if not entry.isdir:
                sink.write(name, entry.get_blocks())


def _extract_with_rarfile(archive: Path, sink: Sink) -> None:
    """Solid RAR 4 through rarfile and the `unar` tool; a missing tool is not a bad upload."""
    try:
        with rarfile.RarFile(archive) as rf:
            infos = rf.infolist()
            names = [sink.admit(info.filename) for info in infos]
            for info, name in zip(infos, names, strict=True):
                if info.is_symlink() or info.file_redir or not (info.is_dir() or info.is_file()):
                    raise link_refused(name)
            sink.check_declared(sum(info.file_size for info in infos))
            for info, name in zip(infos, names, strict=True):
                # No per-entry ratio: in a solid archive a repeated file packs to almost nothing.
                if not info.is_dir():
                    with rf.open(info) as src:
                        sink.write(name, read_chunks(src))
    except rarfile.RarCannotExec:
        raise
    except (rarfile.PasswordRequired, rarfile.RarWrongPassword) as e:
        raise password_needed() from e
    except (rarfile.Error, EOFError) as e:
        raise damaged("rar", e) from e


EXTRACTORS = {"zip": _extract_zip, "7z": _extract_7z, "rar": _extract_rar}
