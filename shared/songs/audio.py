"""Audio length read from file headers, never by decoding: Ogg Vorbis/Opus, WAV and MP3.

Ogg: the last page's granule position over the identification header's sample rate (Opus
always counts at 48 kHz and starts `pre_skip` samples late). WAV: the data chunk's size over the
byte rate. MP3: the Xing/Info or VBRI frame count, else the frames counted by walking their
headers. Unreadable bytes raise `AudioReadError`.
"""

from __future__ import annotations

import struct

from .errors import SongFormatError

OPUS_RATE = 48_000
_MPEG_VERSIONS = {0: 2.5, 2: 2, 3: 1}  # header bits -> MPEG version (1 is reserved)
_BITRATES = {  # kbit/s by (version 1 or not, layer), indexed by the 4-bit bitrate field
    (True, 1): (0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (True, 2): (0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (True, 3): (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    (False, 1): (0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    (False, 2): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
    (False, 3): (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_SAMPLE_RATES = {1: (44100, 48000, 32000), 2: (22050, 24000, 16000), 2.5: (11025, 12000, 8000)}


class AudioReadError(SongFormatError):
    """Audio bytes whose length cannot be read from their headers."""


def audio_length_ms(data: bytes) -> float:
    """Length in milliseconds of Ogg (Vorbis, Opus), WAV or MP3 bytes, told apart by content."""
    if data[:4] == b"OggS":
        return ogg_length_ms(data)
    if data[:4] == b"RIFF":
        return wav_length_ms(data)
    return mp3_length_ms(data)


def ogg_length_ms(data: bytes, tail: bytes | None = None) -> float:
    """Last granule position of the first logical stream over its sample rate; the last page
    is looked for in `tail` (the file's last bytes) when given, else in `data`."""
    serial, packet = _first_ogg_packet(data)
    if packet[:7] == b"\x01vorbis" and len(packet) >= 16:
        rate, skip = int.from_bytes(packet[12:16], "little"), 0
    elif packet[:8] == b"OpusHead" and len(packet) >= 12:
        rate, skip = OPUS_RATE, int.from_bytes(packet[10:12], "little")
    else:
        raise AudioReadError("The Ogg stream is neither Vorbis nor Opus.")
    if not rate:
        raise AudioReadError("The Ogg identification header gives no sample rate.")
    granule = _last_granule(data if tail is None else tail, serial)
    return max(0, granule - skip) * 1000 / rate


def _first_ogg_packet(data: bytes) -> tuple[int, bytes]:
    """(stream serial, start of the first packet) of the first page."""
    if len(data) < 28 or data[4] != 0:
        raise AudioReadError("The Ogg file has no readable first page.")
    serial = int.from_bytes(data[14:18], "little")
    segments = data[26]
    body = 27 + segments
    size = sum(data[27:body])
    if len(data) < body + min(size, 16):
        raise AudioReadError("The Ogg file ends inside its first page.")
    return serial, data[body : body + size]


def _last_granule(data: bytes, serial: int) -> int:
    """Granule position of the last page of `serial` that has one (searching from the end)."""
    at = len(data)
    while (at := data.rfind(b"OggS", 0, at)) != -1:
        if at + 27 <= len(data) and data[at + 4] == 0:
            granule, page_serial = struct.unpack_from("<qI", data, at + 6)
            if page_serial == serial and granule != -1:
                return granule
    raise AudioReadError("The Ogg file has no page with a granule position.")


def wav_length_ms(data: bytes, size: int | None = None) -> float:
    """The data chunk's size over the byte rate (a chunk cut short counts what is there);
    `data` may be the file's first bytes only when `size` gives the whole file's size."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioReadError("The file is not a RIFF WAVE file.")
    size = len(data) if size is None else size
    byte_rate, at = None, 12
    while at + 8 <= len(data):
        chunk, chunk_size = data[at : at + 4], int.from_bytes(data[at + 4 : at + 8], "little")
        if chunk == b"fmt " and chunk_size >= 12:
            byte_rate = int.from_bytes(data[at + 16 : at + 20], "little")
        elif chunk == b"data":
            if not byte_rate:
                raise AudioReadError("The WAV data chunk comes without a usable fmt chunk.")
            return min(chunk_size, size - at - 8) * 1000 / byte_rate
        at += 8 + chunk_size + (chunk_size & 1)
    raise AudioReadError("The WAV file has no data chunk.")


def length_from_ends(head: bytes, tail: bytes, size: int) -> float | None:
    """Length in milliseconds read from a file's first and last bytes alone (`size` bytes in
    all), or None when only the whole file can tell: an MP3 without a frame-count header, or a
    header that lies beyond the bytes given. Raises `AudioReadError` as `audio_length_ms`."""
    if size <= len(head):
        return audio_length_ms(head)
    try:
        if head[:4] == b"OggS":
            return ogg_length_ms(head, tail)
        if head[:4] == b"RIFF":
            return wav_length_ms(head, size)
        at = _skip_id3(head)
        first = _find_frame(head, at) if at + _FRAME_ROOM < len(head) else None
        if first is None or first[0] + _FRAME_ROOM > len(head):
            return None
        return _mp3_length(head, *first, count_frames=False)
    except AudioReadError:
        return None  # what is missing may be in the middle: the whole file decides


_FRAME_ROOM = 4096  # bytes after a frame header that hold any MPEG frame and its tags


def mp3_length_ms(data: bytes) -> float:
    """Frames (from a Xing/Info or VBRI header, else counted) times samples per frame."""
    first = _find_frame(data, _skip_id3(data))
    if first is None:
        raise AudioReadError("No MPEG audio frame found.")
    length = _mp3_length(data, *first, count_frames=True)
    assert length is not None
    return length


def _mp3_length(data: bytes, at: int, header: _Frame, *, count_frames: bool) -> float | None:
    """Milliseconds from the first frame at `at`; None when no header counts the frames and
    `count_frames` is off."""
    frames, trim = _xing_frames(data, at, header) or (_vbri_frames(data, at), 0)
    if frames is None:
        if not count_frames:
            return None
        frames = _count_frames(data, at)
    return max(0, frames * header.samples - trim) * 1000 / header.rate


class _Frame:
    """The fields of one MPEG audio frame header that lengths need."""

    __slots__ = ("mono", "rate", "samples", "size", "version")

    def __init__(self, version: float, rate: int, samples: int, size: int, mono: bool):
        self.version, self.rate, self.samples, self.size = version, rate, samples, size
        self.mono = mono


def _frame_header(data: bytes, at: int) -> _Frame | None:
    """The frame header at `at`, or None when the four bytes there are not one."""
    if at + 4 > len(data) or data[at] != 0xFF or data[at + 1] & 0xE0 != 0xE0:
        return None
    b1, b2, b3 = data[at + 1], data[at + 2], data[at + 3]
    version = _MPEG_VERSIONS.get(b1 >> 3 & 3)
    layer = 4 - (b1 >> 1 & 3)
    bitrate_index, rate_index = b2 >> 4, b2 >> 2 & 3
    if version is None or layer == 4 or bitrate_index in (0, 15) or rate_index == 3:
        return None  # free-format bitrates are not supported
    bitrate = _BITRATES[(version == 1, layer)][bitrate_index] * 1000
    rate = _SAMPLE_RATES[version][rate_index]
    padding = b2 >> 1 & 1
    if layer == 1:
        samples, size = 384, (12 * bitrate // rate + padding) * 4
    elif layer == 2 or version == 1:
        samples, size = 1152, 144 * bitrate // rate + padding
    else:
        samples, size = 576, 72 * bitrate // rate + padding
    return _Frame(version, rate, samples, size, b3 >> 6 == 3)


def _skip_id3(data: bytes) -> int:
    """Where the audio starts after any ID3v2 tags."""
    at = 0
    while data[at : at + 3] == b"ID3" and at + 10 <= len(data):
        size = 0
        for byte in data[at + 6 : at + 10]:
            size = size << 7 | (byte & 0x7F)
        at += 10 + size + (10 if data[at + 5] & 0x10 else 0)
    return at


_SYNC_SEARCH = 1 << 20  # bytes searched for the first frame: real files start far sooner


def _find_frame(data: bytes, at: int) -> tuple[int, _Frame] | None:
    """The first frame header at or after `at` that is followed by another (or ends the file)."""
    stop = at + _SYNC_SEARCH
    while (at := data.find(b"\xff", at, stop)) != -1:
        header = _frame_header(data, at)
        if header is not None:
            after = at + header.size
            if after >= len(data) or _frame_header(data, after) is not None:
                return at, header
        at += 1
    return None


def _xing_frames(data: bytes, at: int, header: _Frame) -> tuple[int, int] | None:
    """(frames, samples to trim) of a Xing/Info header in the first frame (not itself audio).

    The trim is the LAME tag's encoder delay plus padding, which gapless players (and
    libsndfile) leave out of the length.
    """
    if header.version == 1:
        offset = 4 + (17 if header.mono else 32)
    else:
        offset = 4 + (9 if header.mono else 17)
    tag = at + offset
    if data[tag : tag + 4] not in (b"Xing", b"Info") or tag + 12 > len(data):
        return None
    flags = int.from_bytes(data[tag + 4 : tag + 8], "big")
    if not flags & 1:
        return None
    frames = int.from_bytes(data[tag + 8 : tag + 12], "big")
    lame = tag + 8 + sum(size for bit, size in ((1, 4), (2, 4), (4, 100), (8, 4)) if flags & bit)
    trim = 0
    if data[lame : lame + 4] in (b"LAME", b"Lavf", b"Lavc") and lame + 24 <= len(data):
        delays = int.from_bytes(data[lame + 21 : lame + 24], "big")
        trim = (delays >> 12) + (delays & 0xFFF)
    return frames, trim


def _vbri_frames(data: bytes, at: int) -> int | None:
    """The frame count of a Fraunhofer VBRI header (32 bytes after the frame header)."""
    tag = at + 36
    if data[tag : tag + 4] != b"VBRI" or tag + 18 > len(data):
        return None
    return int.from_bytes(data[tag + 14 : tag + 18], "big")


def _count_frames(data: bytes, at: int) -> int:
    """Frames counted by walking their headers until the bytes stop being frames."""
    frames = 0
    while (header := _frame_header(data, at)) is not None and header.size > 0:
        frames += 1
        at += header.size
    return frames
