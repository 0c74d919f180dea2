"""Safe extraction of uploaded zip, 7z and rar archives into one directory."""

from __future__ import annotations

import errno
import lzma
import os
import re
import stat
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import libarchive
import libarchive.exception
import py7zr
import py7zr.exceptions
import py7zr.io
import rarfile

MIB = 1024**2
GIB = 1024**3
CHUNK = MIB
# Small files (a short .chart, an empty-ish .mid) can compress far beyond any sane ratio,
# so a ratio is only judged once that much has been written.
RATIO_GRACE_BYTES = MIB

_MAGIC = (
    (b"PK\x03\x04", "zip"),
    (b"PK\x05\x06", "zip"),  # an empty zip is only its end-of-directory record
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07\x00", "rar"),  # RAR 1.5-4.x
    (b"Rar!\x1a\x07\x01\x00", "rar"),  # RAR 5
    (b"SNGPKG", "sng"),
)
_DRIVE = re.compile(r"^[A-Za-z]:")


class ArchiveError(Exception):
    """An upload that can never be extracted; `reason` is a sentence for the player."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class NotAnArchive(ArchiveError):
    """The bytes are not a zip, 7z or rar archive, whatever the file is called."""


class CorruptArchive(ArchiveError):
    """The archive is damaged, truncated or uses a method we cannot read."""


class EncryptedArchive(ArchiveError):
    """The archive needs a password."""


class UnsafeEntry(ArchiveError):
    """An entry would land outside the destination, or is a link or a device."""


class ArchiveTooLarge(ArchiveError):
    """The archive unpacks to too many bytes or entries, or expands like a zip bomb."""


class EmptyArchive(ArchiveError):
    """The archive holds no files."""


@dataclass(frozen=True)
class ExtractionLimits:
    """What one upload may unpack to."""

    max_total_bytes: int = 20 * GIB
    max_entries: int = 50_000
    # Audio and images barely compress, charts and MIDI do ~10x; 200x is only a bomb.
    max_ratio: float = 200.0


def detect_format(head: bytes, filename: str) -> str:
    """"zip", "7z", "rar", "sng" or "unknown" from the first bytes; `filename` is never trusted."""
    return next((fmt for magic, fmt in _MAGIC if head.startswith(magic)), "unknown")


def safe_name(raw: str) -> str:
    """The entry name as an NFC, `/`-separated path inside the destination ("" for the root)."""
    name = unicodedata.normalize("NFC", raw.replace("\\", "/"))
    if "\x00" in name or name.startswith("/") or _DRIVE.match(name):
        raise UnsafeEntry(f"The archive holds an entry with an absolute path ('{raw}').")
    parts = [part for part in name.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise _outside(raw)
    return "/".join(parts)


def extract_archive(
    archive: Path, dest: Path, limits: ExtractionLimits = ExtractionLimits()
) -> list[str]:
    """Unpack `archive` into `dest` and return the relative POSIX paths written, sorted.

    Duplicate entries are refused (UnsafeEntry) rather than letting the later one win,
    so that no entry can silently replace a file that was already checked. On any error
    everything written is removed again.
    """
    with archive.open("rb") as fp:
        fmt = detect_format(fp.read(16), archive.name)
    if fmt not in _EXTRACTORS:
        raise NotAnArchive("The file is not a zip, 7z or rar archive.")
    created_dest = not dest.exists()
    dest.mkdir(parents=True, exist_ok=True)
    sink = _Sink(dest.resolve(), limits, archive.stat().st_size)
    try:
        _EXTRACTORS[fmt](archive, sink)
        if not sink.files:
            raise EmptyArchive("The archive has no files in it.")
    except BaseException:
        sink.discard()
        if created_dest:
            with suppress(OSError):
                dest.rmdir()
        raise
    return sorted(sink.files)


def _size(n: int) -> str:
    for unit, scale in (("GiB", GIB), ("MiB", MIB), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}".replace(".0 ", " ")
    return f"{n} bytes"


class _EntryWriter:
    """One output file; every chunk is counted by the sink before it is written."""

    def __init__(self, sink: _Sink, name: str, path: Path, packed_size: int | None):
        self.sink, self.name, self.packed_size = sink, name, packed_size
        self.written = 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        self.out = open(os.open(path, flags, 0o644), "wb")  # noqa: SIM115 - closed by close()

    def write(self, chunk: bytes) -> int:
        self.written += len(chunk)
        self.sink.count(self, len(chunk))
        return self.out.write(chunk)

    def close(self) -> None:
        self.out.close()


class _Sink:
    """Writes entries under `dest`, counting entries and bytes against the limits as they stream."""

    def __init__(self, dest: Path, limits: ExtractionLimits, archive_size: int):
        self.dest, self.limits, self.archive_size = dest, limits, max(archive_size, 1)
        self.reset()

    def reset(self) -> None:
        self.total = self.entries = 0
        self.files: list[str] = []
        self.seen: set[str] = set()
        self.dirs: list[Path] = []
        self.open_writers: list[_EntryWriter] = []

    def admit(self, raw_name: str) -> str:
        """Count one entry (directories too) and return its safe name."""
        self.entries += 1
        if self.entries > self.limits.max_entries:
            raise ArchiveTooLarge(
                f"The archive has more than {self.limits.max_entries:,} entries."
            )
        return safe_name(raw_name)

    def check_declared(self, total: int) -> None:
        """Fail early on honest headers; lying ones are caught by `count` while streaming."""
        if total > self.limits.max_total_bytes:
            raise ArchiveTooLarge(
                f"The archive unpacks to {_size(total)}, more than the "
                f"{_size(self.limits.max_total_bytes)} allowed."
            )

    def open(self, name: str, packed_size: int | None = None) -> _EntryWriter:
        if not name:
            raise UnsafeEntry("The archive holds a file without a name.")
        if name in self.seen:
            raise UnsafeEntry(f"The archive holds '{name}' more than once.")
        path = self._parent(name) / name.rsplit("/", 1)[-1]
        if not path.resolve().is_relative_to(self.dest):
            raise _outside(name)
        try:
            writer = _EntryWriter(self, name, path, packed_size)
        except (FileExistsError, IsADirectoryError) as e:
            raise UnsafeEntry(f"The archive holds '{name}' as both a file and a folder.") from e
        except OSError as e:
            if e.errno != errno.ENAMETOOLONG:
                raise
            raise UnsafeEntry(f"The archive holds a name too long to store ('{name}').") from e
        self.files.append(name)
        self.seen.add(name)
        self.open_writers.append(writer)
        return writer

    def write(self, name: str, chunks: Iterable[bytes], packed_size: int | None = None) -> None:
        writer = self.open(name, packed_size)
        try:
            for chunk in chunks:
                writer.write(chunk)
        finally:
            writer.close()

    def count(self, writer: _EntryWriter, n: int) -> None:
        self.total += n
        limit = self.limits
        if self.total > limit.max_total_bytes:
            raise ArchiveTooLarge(
                f"The archive unpacks to more than the {_size(limit.max_total_bytes)} allowed."
            )
        packed = writer.packed_size
        entry_ratio = 0.0 if packed is None else writer.written / max(packed, 1)
        if writer.written > RATIO_GRACE_BYTES and entry_ratio > limit.max_ratio:
            raise ArchiveTooLarge(
                f"The file '{writer.name}' unpacks to over {limit.max_ratio:g} times its "
                "packed size, which looks like a zip bomb."
            )
        if self.total > RATIO_GRACE_BYTES and self.total / self.archive_size > limit.max_ratio:
            raise ArchiveTooLarge(
                f"The archive unpacks to over {limit.max_ratio:g} times its own size, "
                "which looks like a zip bomb."
            )

    def discard(self) -> None:
        """Remove everything written so far, so a failed upload leaves nothing behind."""
        for writer in self.open_writers:
            writer.close()
        for name in reversed(self.files):
            (self.dest / name).unlink(missing_ok=True)
        for directory in reversed(self.dirs):
            with suppress(OSError):
                directory.rmdir()
        self.reset()

    def _parent(self, name: str) -> Path:
        """Create the entry's folders one at a time, refusing anything but plain folders."""
        current = self.dest
        for part in name.split("/")[:-1]:
            current = current / part
            if not os.path.lexists(current):
                current.mkdir()
                self.dirs.append(current)
            elif current.is_symlink() or not current.is_dir():
                raise UnsafeEntry(f"The archive holds '{name}' as both a file and a folder.")
        return current


def _chunks(src: BinaryIO) -> Iterator[bytes]:
    while chunk := src.read(CHUNK):
        yield chunk


def _damaged(fmt: str, error: BaseException) -> CorruptArchive:
    detail = str(error).rstrip(".") or type(error).__name__
    return CorruptArchive(f"The archive is damaged or incomplete ({fmt}: {detail}).")


def _password() -> EncryptedArchive:
    return EncryptedArchive("The archive is password-protected; upload it without a password.")


def _link(name: str) -> UnsafeEntry:
    return UnsafeEntry(f"The archive holds a link or special file ('{name}'), which we refuse.")


def _outside(name: str) -> UnsafeEntry:
    return UnsafeEntry(f"The archive holds an entry that points outside its folder ('{name}').")


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


def _extract_zip(archive: Path, sink: _Sink) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
            names = [sink.admit(_zip_name(info)) for info in infos]
            for info, name in zip(infos, names, strict=True):
                if _zip_is_special(info):
                    raise _link(name)
            sink.check_declared(sum(info.file_size for info in infos))
            for info, name in zip(infos, names, strict=True):
                if info.is_dir():
                    continue
                with zf.open(info) as src:
                    sink.write(name, _chunks(src), info.compress_size)
    except RuntimeError as e:
        if "password" not in str(e):
            raise
        raise _password() from e
    except (zipfile.BadZipFile, EOFError, zlib.error, lzma.LZMAError, NotImplementedError) as e:
        raise _damaged("zip", e) from e


# --- 7z --------------------------------------------------------------------------------------


class _SevenZipOut(py7zr.io.Py7zIO):
    """Lets py7zr write into the sink instead of opening paths itself."""

    def __init__(self, writer: _EntryWriter):
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
    def __init__(self, sink: _Sink):
        self.sink = sink

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        return _SevenZipOut(self.sink.open(safe_name(filename)))


def _extract_7z(archive: Path, sink: _Sink) -> None:
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
                    raise _link(name)
            sink.check_declared(sum(e.uncompressed for e in entries if not e.is_directory))
            sz.extractall(factory=_SevenZipWriters(sink))
    except py7zr.exceptions.PasswordRequired as e:
        raise _password() from e
    except py7zr.exceptions.DecompressionBombError as e:
        raise ArchiveTooLarge(
            f"The archive unpacks to more than the {_size(sink.limits.max_total_bytes)} allowed."
        ) from e
    except py7zr.exceptions.AbsolutePathError as e:
        raise UnsafeEntry("The archive holds an entry with an absolute path.") from e
    except (py7zr.exceptions.ArchiveError, EOFError, lzma.LZMAError, zlib.error) as e:
        raise _damaged("7z", e) from e


# --- rar -------------------------------------------------------------------------------------


def _extract_rar(archive: Path, sink: _Sink) -> None:
    try:
        _extract_with_libarchive(archive, sink)
    except libarchive.exception.ArchiveError as e:
        if "solid" not in e.msg.lower():
            # libarchive's messages for encrypted entries vary; rarfile reads the flags itself.
            if _rar_needs_password(archive):
                raise _password() from e
            raise _damaged("rar", ValueError(e.msg)) from e
        # The system libarchive cannot read solid RAR 4 archives: start again with unar.
        sink.discard()
        _extract_with_rarfile(archive, sink)


def _rar_needs_password(archive: Path) -> bool:
    try:
        with rarfile.RarFile(archive) as rf:
            return rf.needs_password()
    except (rarfile.Error, EOFError):
        return False


def _extract_with_libarchive(archive: Path, sink: _Sink) -> None:
    with archive.open("rb") as fp:
        rar5 = fp.read(8).startswith(b"Rar!\x1a\x07\x01")
    with libarchive.file_reader(str(archive), format_name="rar5" if rar5 else "rar") as entries:
        for entry in entries:
            name = sink.admit(entry.pathname)
            # Hard links report as regular files too, so links are ruled out first.
            if entry.issym or entry.islnk or not (entry.isdir or entry.isfile):
                raise _link(name)
            if not entry.isdir:
                sink.write(name, entry.get_blocks())


def _extract_with_rarfile(archive: Path, sink: _Sink) -> None:
    """Solid RAR 4 through rarfile and the `unar` tool; a missing tool is not a bad upload."""
    try:
        with rarfile.RarFile(archive) as rf:
            infos = rf.infolist()
            names = [sink.admit(info.filename) for info in infos]
            for info, name in zip(infos, names, strict=True):
                if info.is_symlink() or info.file_redir or not (info.is_dir() or info.is_file()):
                    raise _link(name)
            sink.check_declared(sum(info.file_size for info in infos))
            for info, name in zip(infos, names, strict=True):
                # No per-entry ratio: in a solid archive a repeated file packs to almost nothing.
                if not info.is_dir():
                    with rf.open(info) as src:
                        sink.write(name, _chunks(src))
    except rarfile.RarCannotExec:
        raise
    except (rarfile.PasswordRequired, rarfile.RarWrongPassword) as e:
        raise _password() from e
    except (rarfile.Error, EOFError) as e:
        raise _damaged("rar", e) from e


_EXTRACTORS = {"zip": _extract_zip, "7z": _extract_7z, "rar": _extract_rar}
