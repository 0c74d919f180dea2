"""The pure song-format core: song folders, song.ini, .chart and .mid read into frozen results."""

from .errors import ChartParseError, IniParseError, SongFormatError
from .hashes import folder_md5
from .scan import SongScan, scan_song

__all__ = ["ChartParseError", "IniParseError", "SongFormatError", "SongScan", "folder_md5",
           "scan_song"]
