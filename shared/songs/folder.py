"""Which file of a song folder plays which role, and the folder issues scan-chart reports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .issues import FolderIssue

AUDIO_EXTENSIONS = ("ogg", "mp3", "wav", "opus")
AUDIO_STEMS = (
    "song", "guitar", "bass", "rhythm", "keys", "vocals", "vocals_1", "vocals_2", "drums",
    "drums_1", "drums_2", "drums_3", "drums_4", "crowd", "preview",
)
ALBUM_NAMES = ("album.jpg", "album.jpeg", "album.png")
VIDEO_EXTENSIONS = ("mp4", "avi", "webm", "vp8", "ogv", "mpeg")
BAD_VIDEO_EXTENSIONS = ("mp4", "avi", "mpeg")


def extension(name: str) -> str:
    """Text after the last dot (the whole name when there is none), as scan-chart takes it."""
    return name.split(".")[-1]


def basename(name: str) -> str:
    """Name without its last extension."""
    parts = name.split(".")
    return ".".join(parts[:-1]) if len(parts) > 1 else name


def ordered_names(files: Mapping[str, bytes]) -> list[str]:
    """File names in directory-listing order (byte order, as Node's readdir gives them)."""
    return sorted(files, key=lambda n: n.encode("utf-8", "surrogatepass"))


@dataclass(frozen=True)
class Pick:
    """The file chosen for one role (or None) and the issues found choosing it."""

    name: str | None
    issues: tuple[FolderIssue, ...] = ()


def pick_ini(names: list[str]) -> Pick:
    """`song.ini`, else the last other `.ini` file."""
    inis = [n for n in names if extension(n).lower() == "ini"]
    issues = [FolderIssue("invalidIni", f'"{n}" is not named "song.ini".')
              for n in inis if n != "song.ini"]
    if len(inis) > 1:
        issues.append(FolderIssue("multipleIniFiles", "This chart has multiple .ini files."))
    if not inis:
        issues.append(FolderIssue("noMetadata", 'This chart doesn\'t have "song.ini".'))
        return Pick(None, tuple(issues))
    return Pick("song.ini" if "song.ini" in inis else inis[-1], tuple(issues))


def pick_chart(names: list[str]) -> Pick:
    """`notes.mid`/`notes.chart` first (the .mid before the .chart), else any .mid/.chart."""
    charts = [n for n in names if extension(n).lower() in ("chart", "mid")]
    charts.sort(key=lambda n: (n not in ("notes.chart", "notes.mid"),
                               extension(n).lower() != "mid"))
    issues = [
        FolderIssue("invalidChart", f'"{n}" is not named "notes.{extension(n).lower()}".')
        for n in charts if n not in ("notes.chart", "notes.mid")
    ]
    if len(charts) > 1:
        issues.append(FolderIssue("multipleChart", "This chart has multiple .chart/.mid files."))
    if not charts:
        issues.append(FolderIssue("noChart", 'This chart doesn\'t have "notes.chart"/"notes.mid".'))
        return Pick(None, tuple(issues))
    return Pick(charts[0], tuple(issues))


def pick_album(names: list[str]) -> Pick:
    """The last of `album.jpg`/`album.jpeg`/`album.png`."""
    albums = [n for n in names if n in ALBUM_NAMES]
    issues = []
    if len(albums) > 1:
        issues.append(FolderIssue("multipleAlbumArt", "This chart has multiple album art files."))
    if not albums:
        issues.append(FolderIssue("noAlbumArt", "This chart doesn't have album art."))
        return Pick(None, tuple(issues))
    return Pick(albums[-1], tuple(issues))


def audio_files(names: list[str]) -> tuple[list[str], tuple[FolderIssue, ...]]:
    """Audio stems that count as song audio, and the audio folder issues."""
    issues: list[FolderIssue] = []
    stems: list[str] = []
    playable: list[str] = []
    for name in names:
        if extension(name).lower() not in AUDIO_EXTENSIONS:
            continue
        if basename(name) in AUDIO_STEMS and extension(name) in AUDIO_EXTENSIONS:
            stems.append(basename(name))
            if basename(name).lower() not in ("preview", "crowd"):
                playable.append(name)
        else:
            issues.append(FolderIssue("invalidAudio", f'"{name}" is not a valid audio stem name.'))
    if len(set(stems)) != len(stems):
        issues.append(FolderIssue("multipleAudio",
                                  "This chart has multiple audio files of the same stem."))
    if not playable:
        issues.append(FolderIssue("noAudio", "This chart doesn't have an audio file."))
    return playable, tuple(issues)


def video_file(names: list[str]) -> Pick:
    """The video background: a Linux-friendly one first, else the last one."""
    videos = [n for n in names if basename(n) == "video" and extension(n) in VIDEO_EXTENSIONS]
    issues = [
        FolderIssue("badVideo", f'"{n}" will not work on Linux and should be converted to .webm.')
        for n in videos if extension(n) in BAD_VIDEO_EXTENSIONS
    ]
    if len(videos) > 1:
        issues.append(FolderIssue("multipleVideo",
                                  "This chart has multiple video background files."))
    good = [n for n in videos if extension(n) not in BAD_VIDEO_EXTENSIONS]
    chosen = good[-1] if good else (videos[-1] if videos else None)
    return Pick(chosen, tuple(issues))
