"""`chhub scan`: what the library would know about a song folder, a `.sng` file or an archive."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import click


@click.command("scan")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--pretty", is_flag=True, help="Readable output instead of JSON.")
def scan(path: Path, pretty: bool) -> None:
    """Print what the library would know about the song at PATH: a song folder or a .sng file
    (one JSON object), or an archive (.zip, .7z, .rar: a JSON list, one object per song, each
    with its `folder` inside the archive)."""
    from shared.songs.archives import ArchiveError

    try:
        results = _scan_path(path)
    except ArchiveError as error:
        raise click.ClickException(error.reason) from error
    if not pretty:
        single = not (path.is_file() and not path.name.lower().endswith(".sng"))
        click.echo(json.dumps(results[0] if single else results, ensure_ascii=False))
        return
    for result in results:
        _print_readably(result)


def _scan_path(path: Path) -> list[dict[str, Any]]:
    from shared.songs.archives import ExtractionLimits, detect_format, extract_archive
    from shared.songs.song_folders import find_song_folders

    if path.is_dir() or path.name.lower().endswith(".sng"):
        return [_scan_song(path)]
    with path.open("rb") as stream:
        kind = detect_format(stream.read(16), path.name)
    if kind == "sng":
        return [_scan_song(path)]
    with tempfile.TemporaryDirectory(prefix="chhub-scan-") as scratch:
        tree = Path(scratch) / "tree"
        written = extract_archive(path, tree, ExtractionLimits())
        return [{"folder": song.path, **_scan_song(tree / song.path)}
                for song in find_song_folders(written)]


def _scan_song(path: Path) -> dict[str, Any]:
    from services.ingest.song_files import read_song
    from shared.messaging import PermanentError
    from shared.songs.scan import scan_song

    try:
        return scan_song(read_song(path)).as_dict()
    except PermanentError as error:
        return {"error": error.reason}


def _print_readably(result: dict[str, Any]) -> None:
    if "error" in result:
        click.echo(f"{result.get('folder', '')}: {result['error']}")
        return
    notes = result.get("notesData") or {}
    where = f"{result['folder']}: " if result.get("folder") else ""
    click.echo(f"{where}{result.get('artist')} - {result.get('name')}  [{result.get('chartFile')}]")
    for count in notes.get("noteCounts", []):
        click.echo(f"  {count['instrument']:>12} {count['difficulty']:<7} {count['count']} notes")
    for issue in result.get("folderIssues", []) + notes.get("chartIssues", []):
        click.echo(f"  ! {issue.get('description')}")
