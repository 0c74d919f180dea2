"""The `.setlist` writer and reader against bytes laid out by hand."""

from __future__ import annotations

import hashlib

import pytest

from shared.songs.setlist import (
    SetlistEntry,
    SetlistFormatError,
    chart_md5,
    read_setlist,
    setlist_bytes,
)

pytestmark = pytest.mark.unit

CHART = b"[Song]\r\n{\r\n  Resolution = 192\r\n}\r\n"
MIDI = b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0"


def test_writes_header_count_and_each_song_byte_for_byte() -> None:
    first, second = chart_md5(CHART), chart_md5(MIDI)
    expected = (b"\xea\xec\x33\x01" + b"\x02\x00\x00\x00"
                + b"\x20" + hashlib.md5(CHART).hexdigest().upper().encode() + b"\x64\x00"
                + b"\x20" + hashlib.md5(MIDI).hexdigest().upper().encode() + b"\x4b\x00")

    written = setlist_bytes([SetlistEntry(first), SetlistEntry(second, speed=75)])

    assert written == expected
    assert len(written) == 8 + 2 * 35


def test_names_a_song_by_the_uppercase_md5_of_its_raw_chart() -> None:
    assert chart_md5(b"") == "D41D8CD98F00B204E9800998ECF8427E"


def test_writes_lowercase_md5s_as_uppercase() -> None:
    lower = hashlib.md5(CHART).hexdigest()

    written = setlist_bytes([SetlistEntry(lower)])

    assert written[9:41] == lower.upper().encode()


def test_an_empty_setlist_is_header_and_zero() -> None:
    assert setlist_bytes([]) == b"\xea\xec\x33\x01\x00\x00\x00\x00"


def test_reads_back_what_it_writes_in_order() -> None:
    entries = (SetlistEntry(chart_md5(MIDI)), SetlistEntry(chart_md5(CHART), speed=150),
               SetlistEntry(chart_md5(MIDI)))

    assert read_setlist(setlist_bytes(entries)) == entries


def test_counts_above_255_use_all_four_count_bytes() -> None:
    entries = [SetlistEntry(chart_md5(bytes([n % 256, n // 256]))) for n in range(300)]

    written = setlist_bytes(entries)

    assert written[4:8] == b"\x2c\x01\x00\x00"
    assert read_setlist(written) == tuple(entries)


@pytest.mark.parametrize("data", [
    b"",
    b"\xea\xec\x33\x02\x00\x00\x00\x00",
    b"\xea\xec\x33\x01\x01\x00\x00\x00",
    b"\xea\xec\x33\x01\x01\x00\x00\x00\x1f" + b"A" * 32 + b"\x64\x00",
    b"\xea\xec\x33\x01\x01\x00\x00\x00\x20" + b"Z" * 32 + b"\x64\x00",
])
def test_refuses_what_is_not_a_setlist(data: bytes) -> None:
    with pytest.raises(SetlistFormatError):
        read_setlist(data)


@pytest.mark.parametrize(("md5", "speed"), [("not-hex", 100), ("A" * 32, 0), ("A" * 32, 256)])
def test_an_entry_needs_a_hex_md5_and_a_speed_in_a_byte(md5: str, speed: int) -> None:
    with pytest.raises(ValueError):
        SetlistEntry(md5, speed)
