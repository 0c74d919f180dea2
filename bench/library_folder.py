"""A player's Songs folder made of corpus charts: Artist/Title folders (some as .zip archives),
or one .zip pack of such folders; each song a corpus chart folder's files plus a marker file, so
every song's content is new."""

from __future__ import annotations

import itertools
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support.songs import song_files

CHART_NAMES = {"notes.chart", "notes.mid"}
# Stems Clone Hero plays beside song.ogg; generated ones take a name the corpus folder lacks.
STEM_NAMES = ("crowd.ogg", "keys.ogg", "rhythm.ogg", "vocals.ogg", "drums_1.ogg")
UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f]+')


@dataclass(frozen=True)
class SongsFolder:
    root: Path
    songs: int
    archives: int
    song_bytes: int
    """Bytes of every song's files as the library holds them (archives counted unpacked)."""


def chart_folders(charts: Path) -> list[Path]:
    """Every corpus folder holding a notes.chart or notes.mid, in a stable order."""
    return sorted({p.parent for p in charts.rglob("*")
                   if p.is_file() and p.name.lower() in CHART_NAMES})


def _ini_value(files: dict[str, bytes], key: str) -> str:
    ini = next((data for name, data in files.items() if name.lower() == "song.ini"), b"")
    text = ini.decode("utf-16", "replace") if ini.startswith((b"\xff\xfe", b"\xfe\xff")) else \
        ini.decode("utf-8", "replace")
    match = re.search(rf"^\s*{key}\s*=\s*(.+?)\s*$", text, re.IGNORECASE | re.MULTILINE)
    return match.group(1) if match else ""


def _safe(name: str, fallback: str) -> str:
    cleaned = UNSAFE.sub(" ", name).strip().rstrip(".")[:80].strip()
    return cleaned or fallback


def _place(files: dict[str, bytes], folder: Path, charts: Path) -> tuple[str, str]:
    """Artist and title folder names, from song.ini or else from the corpus path."""
    collection = folder.relative_to(charts).parts[0]
    return (_safe(_ini_value(files, "artist"), collection),
            _safe(_ini_value(files, "name"), folder.name))


def write_songs_folder(root: Path, charts: Path, songs: int, *, zip_every: int = 0,
                       audio_kb: int = 0, tag: str = "scale") -> SongsFolder:
    """`songs` songs under `root`, cycling through the corpus's chart folders; every
    `zip_every`-th song (0: none) is a .zip archive holding its folder."""
    archives = song_bytes = 0
    for index, artist, name, files in _songs(charts, songs, audio_kb, tag):
        song_bytes += sum(len(data) for data in files.values())
        if zip_every and index % zip_every == zip_every - 1:
            _write_zip(root / artist / f"{name}.zip", name, files)
            archives += 1
        else:
            _write_folder(root / artist / name, files)
    return SongsFolder(root, songs, archives, song_bytes)


def write_songs_pack(path: Path, charts: Path, songs: int, *, audio_kb: int = 0,
                     tag: str = "pack") -> int:
    """One .zip holding `songs` song folders (Artist/Title #i/), written as it goes, as a
    player's pack of a whole library; the bytes of the songs' files."""
    song_bytes = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for _, artist, name, files in _songs(charts, songs, audio_kb, tag):
            song_bytes += sum(len(data) for data in files.values())
            for file_name, data in files.items():
                archive.writestr(f"{artist}/{name}/{file_name}", data)
    return song_bytes


def _songs(charts: Path, songs: int, audio_kb: int,
           tag: str) -> Iterator[tuple[int, str, str, dict[str, bytes]]]:
    """Index, artist folder, title folder and files of each song, cycling through the corpus."""
    folders = chart_folders(charts)
    if not folders:
        raise SystemExit(f"no chart folders under {charts}")
    for index, folder in zip(range(songs), itertools.cycle(folders)):
        files = song_files(folder, f"{tag}-{index}")
        if audio_kb:
            stem = next(n for n in STEM_NAMES if n not in {f.lower() for f in files})
            files[stem] = os.urandom(audio_kb * 1024)
        artist, title = _place(files, folder, charts)
        yield index, artist, f"{title} #{index}", files


def _write_folder(path: Path, files: dict[str, bytes]) -> None:
    path.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (path / name).write_bytes(data)


def _write_zip(path: Path, folder: str, files: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(f"{folder}/{name}", data)


def tree_bytes(root: Path) -> int:
    """Bytes of the files under `root`, a file linked twice counted once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for path in _files(root):
        try:
            stat = path.stat()
        except FileNotFoundError:  # staging areas come and go while they are measured
            continue
        if (stat.st_dev, stat.st_ino) not in seen:
            seen.add((stat.st_dev, stat.st_ino))
            total += stat.st_size
    return total


def _files(root: Path) -> Iterator[Path]:
    for folder, _, names in os.walk(root):
        for name in names:
            yield Path(folder, name)
