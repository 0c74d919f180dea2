"""Find the song folders and `.sng` songs in the file list of an unpacked upload."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from shared.layout import safe_file_name

CHART_NAMES = frozenset({"notes.chart", "notes.mid"})
MARKER_NAMES = CHART_NAMES | {"song.ini"}
# Files that operating systems leave behind; they are never part of a song.
JUNK_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
JUNK_FOLDERS = frozenset({"__macosx"})
MISSING_CHART_REASON = "This folder has a song.ini but no notes.chart or notes.mid."


class MemberNamesClash(ValueError):
    """Two of a song's files would have one name on a rig; `reason` names them."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class SongFolder:
    """One song in an upload.

    For a folder, `path` is the directory ("" for the root) and `files` its own top-level
    files, sorted. For a `.sng` song, `path` is the `.sng` file itself and `files` is empty.
    """

    path: str
    kind: Literal["folder", "sng"]
    files: tuple[str, ...]


def is_junk(path: str) -> bool:
    """macOS resource forks and Finder/Explorer files, wherever they sit."""
    *folders, name = path.split("/")
    lowered = name.lower()
    return (
        any(folder.lower() in JUNK_FOLDERS for folder in folders)
        or lowered in JUNK_NAMES
        or name.startswith("._")
    )


def find_song_folders(paths: Iterable[str]) -> list[SongFolder]:
    """Every song in the upload, sorted by path; nested song folders are songs of their own."""
    own_files: dict[str, list[str]] = defaultdict(list)
    songs: list[SongFolder] = []
    for path in paths:
        if is_junk(path):
            continue
        folder, _, name = path.rpartition("/")
        if name.lower().endswith(".sng"):
            songs.append(SongFolder(path, "sng", ()))
        else:
            own_files[folder].append(name)
    songs += [
        SongFolder(folder, "folder", tuple(sorted(names)))
        for folder, names in own_files.items()
        if any(name.lower() in MARKER_NAMES for name in names)
    ]
    return sorted(songs, key=lambda song: song.path)


def has_chart(files: Iterable[str]) -> bool:
    """Whether a folder's own files include notes.chart or notes.mid (any case).

    A song folder without one fails with `MISSING_CHART_REASON`.
    """
    return any(name.lower() in CHART_NAMES for name in files)


def published_names(names: Iterable[str]) -> dict[str, str]:
    """Each of a song's file names (as uploaded) mapped to the name it is published under: one
    that Windows, macOS and Linux rigs can all store. Two files that would share a name there
    (Windows ignores case) make the song unusable: MemberNamesClash says which."""
    published: dict[str, str] = {}
    taken: dict[str, str] = {}
    for name in names:
        clean = safe_file_name(name)
        if (other := taken.setdefault(clean.casefold(), name)) != name:
            raise MemberNamesClash(f"The files '{other}' and '{name}' would both be named "
                                   f"'{clean}' on a rig; rename one of them.")
        published[name] = clean
    return published
