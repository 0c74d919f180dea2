"""Which import run an upload belongs to, from the headers `chhub import` sends with each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from litestar import Request

from shared.import_run import IMPORT_RUN_HEADER, IMPORT_SONGS_HEADER

RUN_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_SONGS = 10_000_000


@dataclass(frozen=True)
class ImportRun:
    run: str
    songs: int | None  # songs the run sends in all, when it said


def import_run_of(request: Request) -> ImportRun | None:
    """The run the upload names; None when it names none, or none well formed."""
    run = request.headers.get(IMPORT_RUN_HEADER, "")
    if not RUN_ID.match(run):
        return None
    songs = request.headers.get(IMPORT_SONGS_HEADER, "")
    counted = songs.isascii() and songs.isdigit() and int(songs) <= MAX_SONGS
    return ImportRun(run, int(songs) if counted else None)
