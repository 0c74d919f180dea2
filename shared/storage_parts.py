"""How the S3 adapter cuts what it stores into the parts of a multipart upload: the part sizes,
and reads that fill one part buffer from a stream (pure: no I/O beyond the stream)."""

from __future__ import annotations

from typing import BinaryIO

# The part size of an object of known length (the client splits it).
PART_SIZE = 8 * 1024 * 1024
# A stream of unknown length is sent in parts read one at a time into one buffer, so the part
# size bounds the memory of each upload under way: S3's smallest (5 MiB) for the first 5,000
# parts (24 GiB), 16 MiB after, so that S3's 10,000 parts hold 102 GiB, twice the largest
# upload accepted (50 GiB by default).
SMALL_PART_SIZE, SMALL_PARTS, LARGE_PART_SIZE = 5 * 1024 * 1024, 5000, 16 * 1024 * 1024
# What a stream of unknown length is first read into: one request when it fits.
FIRST_READ_SIZE = 512 * 1024


def stream_part_size(number: int) -> int:
    """The size of part `number` (from 1) of a stream of unknown length."""
    return SMALL_PART_SIZE if number <= SMALL_PARTS else LARGE_PART_SIZE


def fill_part(buffer: memoryview, stream: BinaryIO) -> int:
    """Read `stream` into `buffer` until it is full or the stream ends; the bytes read. The
    stream writes into the buffer itself (`readinto`), so no piece is held beside it."""
    filled = 0
    while filled < len(buffer):
        count = stream.readinto(buffer[filled:])
        if not count:
            break
        filled += count
    return filled


class WholeReads:
    """A stream whose `read(size)` returns `size` bytes unless the stream ends first, however
    short the underlying reads are (a pipe fed a piece at a time). The S3 client gathers each
    part by appending every read to what it has so far, which copies a part over and over
    when reads are short; here the pieces are joined once."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            return self._stream.read()
        pieces, wanted = [], size
        while wanted > 0:
            piece = self._stream.read(wanted)
            if not piece:
                break
            pieces.append(piece)
            wanted -= len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)
