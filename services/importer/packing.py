"""A song folder sent as one upload: its files packed into a zip as they are read, stored
rather than compressed (audio and images do not compress, and charts are small), so the
server stores and fetches one object per song instead of one per file."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

PIECE_BYTES = 1024 * 1024


class _Pieces(io.RawIOBase):
    """Where the zip is written: an unseekable sink whose bytes are taken as they come."""

    def __init__(self) -> None:
        self._pieces: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._pieces.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        taken = b"".join(self._pieces)
        self._pieces.clear()
        return taken


def zipped_folder(folder: Path, names: tuple[str, ...], counted: list[int]) -> Iterator[bytes]:
    """The zip of `folder`'s files `names`, each under `<folder name>/`, a piece at a time;
    `counted[0]` grows by each piece's length, so the sender knows the bytes it sent."""
    sink = _Pieces()

    def pieces() -> Iterator[bytes]:
        if taken := sink.take():
            counted[0] += len(taken)
            yield taken

    with zipfile.ZipFile(sink, "w", zipfile.ZIP_STORED) as archive:
        for name in names:
            path = folder / name
            large = path.stat().st_size >= zipfile.ZIP64_LIMIT
            with path.open("rb") as source, \
                    archive.open(f"{folder.name}/{name}", "w", force_zip64=large) as entry:
                while piece := source.read(PIECE_BYTES):
                    entry.write(piece)
                    yield from pieces()
            yield from pieces()
    yield from pieces()
