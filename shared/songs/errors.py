"""Named errors raised by the song-format core when bytes cannot be read as a song file."""

from __future__ import annotations


class SongFormatError(ValueError):
    """A song file that cannot be read; `reason` is a sentence for people."""

    def __init__(self, reason: str, file: str | None = None, location: str | None = None):
        self.reason = reason
        self.file = file
        self.location = location
        super().__init__(self._message())

    def _message(self) -> str:
        where = ", ".join(part for part in (self.file, self.location) if part)
        return f"{where}: {self.reason}" if where else self.reason

    def __str__(self) -> str:
        return self._message()


class ChartParseError(SongFormatError):
    """A `.chart` or `.mid` file whose bytes are not a readable chart."""


class IniParseError(SongFormatError):
    """A `song.ini` that cannot be read at all.

    `ini.parse_ini` itself never raises: any bytes decode (Latin-1 last), and lines it cannot
    read become `badIniLine` issues, as in scan-chart. Writers and stricter callers use this.
    """
