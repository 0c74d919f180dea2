"""Scan a song folder's files into everything scan-chart 8.0.1 reports, plus our own fields.

Our own additions: `audioLength`, the longest playable stem's length read from its headers, is
also reported as `song_length` when song.ini gives none (scan-chart reports only the ini's
value). Chart analysis still uses the ini's value, so notesData stays scan-chart's. Audio whose
length cannot be read is a `badAudio` folder issue (scan-chart's reserved code), and it does not
change `playable`.

`scan_song` never raises for bad content: like scan-chart, a missing or unreadable file becomes
an issue (`noMetadata`, `noChart`, `badChart`, ...) and `playable` turns false. Only the parse
helpers (`chart.parse_chart`, `midi.parse_midi`) raise `ChartParseError` for malformed bytes.

`read_chart` reads the same folder's chart as timed tracks, by the same choice of files and
song.ini modifiers, for whoever draws or plays it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import folder
from .audio import AudioReadError, audio_length_ms
from .errors import SongFormatError
from .hashes import chart_hash, folder_md5, md5_hex
from .image import image_info
from .ini import DEFAULT_METADATA, SongMetadata, parse_ini, read_metadata
from .issues import FolderIssue, MetadataIssue
from .notes import NotesData, analyse_chart, read_tracks
from .text import js_number
from .tracks import ParsedChart

SCALAR_FIELDS = ("name", "artist", "album", "genre", "year", "charter", "song_length")


@dataclass(frozen=True)
class SongScan:
    """Everything known about one song folder; `as_dict` is the stable JSON form."""

    md5: str
    chart_hash: str | None
    playable: bool
    chart_file: str | None
    metadata: Mapping[str, Any]
    folder_issues: tuple[FolderIssue, ...]
    metadata_issues: tuple[MetadataIssue, ...]
    notes_data: NotesData | None
    album_art: Mapping[str, Any] | None = None
    audio_files: tuple[str, ...] = ()
    has_video_background: bool = False
    extra_metadata: Mapping[str, str] = field(default_factory=dict)
    audio_length: int | None = None

    def get(self, key: str) -> Any:
        """A scan-chart metadata value (name, artist, ...) or None."""
        return self.metadata.get(key)

    def as_dict(self) -> dict[str, Any]:
        """JSON-compatible dict with scan-chart's camelCase names for scan-chart's fields."""
        result: dict[str, Any] = {key: _json(self.metadata.get(key)) for key in SCALAR_FIELDS}
        result.update({
            "md5": self.md5,
            "chartHash": self.chart_hash,
            "playable": self.playable,
            "albumArtMd5": self.album_art["md5"] if self.album_art else None,
            "hasVideoBackground": self.has_video_background,
            "folderIssues": [issue.as_dict() for issue in self.folder_issues],
            "metadataIssues": [issue.as_dict() for issue in self.metadata_issues],
            "notesData": self.notes_data.as_dict() if self.notes_data else None,
            "chartFile": self.chart_file,
            "metadata": self._metadata_dict(),
            "albumArt": dict(self.album_art) if self.album_art else None,
            "audioFiles": list(self.audio_files),
            "audioLength": self.audio_length,
        })
        return result


    def _metadata_dict(self) -> dict[str, Any]:
        """scan-chart's typed values, plus every other song.ini key (lowercased) as text."""
        extra = {key: value for key, value in self.extra_metadata.items()
                 if key not in self.metadata}
        typed = {k: _json(v) for k, v in self.metadata.items() if k not in SCALAR_FIELDS}
        return {**extra, **typed}


def _json(value: Any) -> Any:
    if isinstance(value, float):
        return js_number(value) if value == value and abs(value) != float("inf") else None
    return value


def _read_ini(files: Mapping[str, bytes], names: list[str]):
    """Pick and read the ini: (metadata or None, folder issues)."""
    pick = folder.pick_ini(names)
    if pick.name is None:
        return None, list(pick.issues)
    ini = parse_ini(files[pick.name])
    issues = [*pick.issues, *ini.issues]
    if ini.song is None:
        issues.append(FolderIssue("invalidMetadata",
                                  '"song.ini" doesn\'t have a "[Song]" section.'))
        return None, issues
    return read_metadata(ini.song), issues


def _album_art(files: Mapping[str, bytes], names: list[str]):
    """Album art md5 and size, with the album art folder issues."""
    pick = folder.pick_album(names)
    if pick.name is None:
        return None, list(pick.issues)
    data = files[pick.name]
    info = image_info(data)
    if info is None:
        return None, [*pick.issues, FolderIssue("badAlbumArt",
                                                "This chart's album art couldn't be parsed.")]
    issues = list(pick.issues)
    if (info.width, info.height) not in ((500, 500), (512, 512)):
        issues.append(FolderIssue("albumArtSize", f"This chart's album art is "
                                  f"{info.height}x{info.width}, and should be 512x512."))
    art = {"file": pick.name, "md5": md5_hex(data), "format": info.format,
           "width": info.width, "height": info.height, "size": len(data)}
    return art, issues


AudioLength = Callable[[str], float]
"""A stem's length in milliseconds by its name; raises `AudioReadError`."""


def scan_song(files: Mapping[str, bytes], *, md5: str | None = None,
              audio_length: AudioLength | None = None) -> SongScan:
    """Scan one folder's own top-level files (name -> bytes).

    A caller that already knows the folder's `md5`, and can tell a stem's length without
    reading it whole (`audio_length`), spares `files` from reading any audio stem at all.
    """
    names = folder.ordered_names(files)
    ini_metadata, folder_issues = _read_ini(files, names)
    metadata_issues = list(ini_metadata.issues) if ini_metadata else []
    modifiers = _modifiers(ini_metadata)
    chart_pick = folder.pick_chart(names)
    folder_issues += chart_pick.issues
    notes_data, chart_meta, hash_ = None, None, None
    if chart_pick.name is not None:
        data = files[chart_pick.name]
        try:
            notes_data, chart_meta = analyse_chart(data, folder.extension(chart_pick.name).lower(),
                                                   modifiers)
            hash_ = chart_hash(data, modifiers)
        except SongFormatError as error:
            folder_issues.append(FolderIssue("badChart", error.reason))
    if notes_data and ini_metadata:
        metadata_issues += notes_data.difficulty_issues(ini_metadata.values)
    metadata = _merged_metadata(ini_metadata, chart_meta)
    art, art_issues = _album_art(files, names)
    audio, audio_issues = folder.audio_files(names)
    audio_length, bad_audio = _audio_length(
        audio_length or (lambda name: audio_length_ms(files[name])), audio)
    if audio_length is not None and not metadata.get("song_length"):
        metadata["song_length"] = audio_length
    video = folder.video_file(names)
    folder_issues += [*art_issues, *audio_issues, *bad_audio, *video.issues]
    playable = bool(notes_data) and (ini_metadata or chart_meta) is not None and not any(
        issue.code == "noAudio" for issue in folder_issues)
    return SongScan(
        md5=md5 or folder_md5(files), chart_hash=hash_, playable=playable,
        chart_file=chart_pick.name,
        metadata=metadata, folder_issues=tuple(folder_issues),
        metadata_issues=tuple(metadata_issues), notes_data=notes_data, album_art=art,
        audio_files=tuple(audio), has_video_background=video.name is not None,
        extra_metadata=ini_metadata.raw if ini_metadata else {}, audio_length=audio_length,
    )


def read_chart(files: Mapping[str, bytes]) -> ParsedChart | None:
    """The folder's chart as timed tracks with its song.ini's modifiers applied, or None
    without a chart. Only the chart and the ini are read from `files` (top-level names only);
    raises SongFormatError for bad bytes."""
    names = folder.ordered_names({name: b"" for name in files if "/" not in name})
    chart_name = folder.pick_chart(names).name
    if chart_name is None:
        return None
    ini_metadata, _ = _read_ini(files, names)
    return read_tracks(files[chart_name], folder.extension(chart_name).lower(),
                       _modifiers(ini_metadata))


def _modifiers(ini: SongMetadata | None) -> Mapping[str, Any]:
    """What changes how a chart reads (hopo frequency, multiplier note, ...): the ini's values,
    or scan-chart's defaults without an ini."""
    return ini.values if ini else DEFAULT_METADATA


def _audio_length(length_of: AudioLength, stems: list[str]):
    """Whole milliseconds of the longest readable stem (or None), and a badAudio issue list."""
    lengths, errors = [], []
    for name in stems:
        try:
            lengths.append(length_of(name))
        except AudioReadError as error:
            errors.append(f'"{name}": {error.reason}')
    issues = [FolderIssue("badAudio", "This chart's audio couldn't be parsed:\n"
                          + "\n".join(errors))] if errors else []
    return (round(max(lengths)) if lengths else None), issues


def _merged_metadata(ini: SongMetadata | None, chart_meta: Mapping[str, Any] | None) -> dict:
    """ini metadata when there is an ini, else the .chart's [Song] metadata; plus chart_offset."""
    merged: dict[str, Any] = dict(ini.values) if ini else dict(chart_meta or {})
    delay = (chart_meta or {}).get("delay")
    merged["chart_offset"] = 0 if delay is None else delay
    return merged
