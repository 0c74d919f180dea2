"""Parse consumer: `song.extracted` → the song's song.ini and chart read → `song.parsed`
(or `song.failed` when nothing playable can be read). The revision's files come listed in the
event (an earlier event does not list them: then its manifest is read), and go on listed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import anyio

from shared.events import Event, SongExtracted, SongParsed, failure_at
from shared.manifest import Manifest
from shared.messaging import PermanentError
from shared.song_store import SongStore
from shared.songs.scan import scan_song
from shared.songs.version import PARSER_VERSION


def make_handler(songs: SongStore):
    async def parse(event: SongExtracted) -> Sequence[Event]:
        manifest = event.manifest() or await anyio.to_thread.run_sync(songs.manifest,
                                                                       event.manifest_key)
        scan = await anyio.to_thread.run_sync(_scan, songs, manifest)
        if scan.get("chartFile") is None or scan.get("notesData") is None:
            raise PermanentError(_unplayable_reason(scan))
        return (SongParsed.after(
            event, PARSER_VERSION, manifest_key=event.manifest_key, md5=event.md5,
            parser_version=PARSER_VERSION,
            name=_text(scan.get("name")), artist=_text(scan.get("artist")),
            album=_text(scan.get("album")), genre=_text(scan.get("genre")),
            year=_text(scan.get("year")), charter=_text(scan.get("charter")),
            song_length_ms=_milliseconds(scan.get("song_length")),
            chart_file=scan.get("chartFile"), scan=scan, files=manifest.files,
        ),)

    return parse


def _scan(songs: SongStore, manifest: Manifest) -> dict[str, Any]:
    """The song's scan, reading its ini, chart and art whole but only the ends of its stems:
    extract already hashed the folder (`md5`)."""
    entries = {entry.name: entry for entry in manifest.files}
    return scan_song(songs.files(manifest), md5=manifest.md5,
                     audio_length=lambda name: songs.audio_length_ms(entries[name])).as_dict()


def _unplayable_reason(scan: dict[str, Any]) -> str:
    problems = [issue.get("description") for issue in scan.get("folderIssues", [])
                if issue.get("folderIssue") in {"noNotes", "badChart", "invalidChart"}]
    detail = f" ({'; '.join(p for p in problems if p)})" if problems else ""
    return f"The chart could not be read{detail}."


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _milliseconds(value: Any) -> int | None:
    try:
        return None if value is None else int(float(value))
    except ValueError:
        return None


failed = failure_at("parse")
