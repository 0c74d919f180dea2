"""The `.sng` container: round trips, every malformed input rejected with an offset, fuzzing."""

from __future__ import annotations

import contextlib
import os
import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.songs.errors import SongFormatError
from shared.songs.sng import (
    HEADER_SIZE,
    SngFormatError,
    apply_xor_mask,
    file_name_problem,
    folder_to_sng,
    metadata_from_song_ini,
    read_sng,
    sng_to_folder,
    song_ini_from_metadata,
    write_sng,
)

pytestmark = pytest.mark.unit

MASK = bytes(range(100, 116))
METADATA = {"name": "Sängerin", "artist": "Somebody", "loading_phrase": "<color=#00FF00>hi</color>"}
FILES = {
    "notes.chart": b"[Song]\n{\n}\n",
    "song.ogg": os.urandom(3000),
    "album.png": b"",
    "Ünïcode name.txt": b"\x00\xff" * 300,
}


def raw_sng(
    pairs: list[tuple[bytes, bytes]] = (),
    entries: list[tuple[bytes, int, int]] = (),
    data: bytes = b"",
    *,
    identifier: bytes = b"SNGPKG",
    version: int = 1,
    metadata_count: int | None = None,
    file_count: int | None = None,
) -> bytes:
    """Assemble a .sng field by field, so a test can make any field wrong."""
    metadata = b"".join(struct.pack("<i", len(k)) + k + struct.pack("<i", len(v)) + v
                        for k, v in pairs)
    metadata_count = len(pairs) if metadata_count is None else metadata_count
    metadata = struct.pack("<Q", metadata_count) + metadata
    index = b"".join(bytes([len(name)]) + name + struct.pack("<QQ", size, start)
                     for name, size, start in entries)
    index = struct.pack("<Q", len(entries) if file_count is None else file_count) + index
    return b"".join([
        identifier, struct.pack("<I", version), MASK,
        struct.pack("<Q", len(metadata)), metadata,
        struct.pack("<Q", len(index)), index,
        struct.pack("<Q", len(data)), data,
    ])


def data_start(pairs: list[tuple[bytes, bytes]], names: list[bytes]) -> int:
    """Where the file data begins in `raw_sng(pairs, entries with these names)`."""
    metadata_size = 8 + sum(8 + len(k) + len(v) for k, v in pairs)
    index_size = 8 + sum(17 + len(name) for name in names)
    return HEADER_SIZE + 8 + metadata_size + 8 + index_size + 8


def rejection(data: bytes) -> SngFormatError:
    with pytest.raises(SngFormatError) as caught:
        read_sng(data)
    assert isinstance(caught.value, SongFormatError)
    assert isinstance(caught.value.offset, int)
    assert f"byte {caught.value.offset}" in str(caught.value)
    return caught.value


def test_a_written_sng_reads_back_with_the_same_metadata_files_and_mask():
    package = read_sng(write_sng(METADATA, FILES, xor_mask=MASK))
    assert (package.version, package.xor_mask) == (1, MASK)
    assert package.metadata == METADATA
    assert package.files == FILES


def test_the_default_mask_is_deterministic_and_depends_on_the_content():
    first, again = write_sng(METADATA, FILES), write_sng(METADATA, dict(reversed(FILES.items())))
    other = write_sng(METADATA, {**FILES, "notes.chart": b"changed"})
    assert first == again
    assert read_sng(first).xor_mask != read_sng(other).xor_mask
    assert read_sng(first).files == FILES


def test_an_empty_package_round_trips():
    assert read_sng(write_sng({}, {})).files == {}


def test_masking_follows_the_spec_across_chunk_boundaries():
    data = os.urandom((1 << 20) + 777)
    expected = bytes(byte ^ MASK[i % 16] ^ (i & 0xFF) for i, byte in enumerate(data))
    assert apply_xor_mask(data, MASK) == expected
    assert apply_xor_mask(expected, MASK) == data


def test_file_data_is_stored_masked():
    blob = write_sng({}, {"a.bin": b"\x00" * 64}, xor_mask=MASK)
    assert b"\x00" * 64 not in blob


def test_a_folder_becomes_an_sng_and_comes_back_with_a_regenerated_song_ini():
    folder = {"Song.ini": b"\xef\xbb\xbf[Song]\r\nName = Foo ; x\r\nartist=Bar\r\n", **FILES}
    package = read_sng(folder_to_sng(folder))
    assert package.metadata == {"name": "Foo ; x", "artist": "Bar"}
    assert package.files == FILES
    unpacked = sng_to_folder(folder_to_sng(folder))
    assert unpacked["song.ini"] == b"[song]\nname = Foo ; x\nartist = Bar\n"
    assert {name: data for name, data in unpacked.items() if name != "song.ini"} == FILES


def test_song_ini_and_metadata_convert_both_ways():
    assert metadata_from_song_ini(song_ini_from_metadata(METADATA)) == METADATA
    assert metadata_from_song_ini(b"[other]\nname = x\n") == {}


def test_a_song_ini_inside_the_files_cannot_be_unpacked_beside_the_metadata():
    blob = write_sng({"name": "x"}, {"SONG.INI": b"[song]"})
    with pytest.raises(SngFormatError, match=r"song\.ini"):
        sng_to_folder(blob)


@pytest.mark.parametrize("name", ["../evil", "a/b", "a\\b", "/abs", "C:x", "", "nul\x00", "bad\x1f",
                                  "trailing.", "CON.txt", "dup.txt"])
def test_the_writer_refuses_unsafe_file_names(name):
    files = {name: b"x", "DUP.txt": b"y"} if name == "dup.txt" else {name: b"x"}
    with pytest.raises(SngFormatError):
        write_sng({}, files)


@pytest.mark.parametrize(("key", "value"), [("", "x"), ("a=b", "x"), ("a;b", "x"), ("a", "b\nc"),
                                            ("a", "\0"), ("a", "\ud800")])
def test_the_writer_refuses_metadata_that_cannot_be_a_song_ini_line(key, value):
    with pytest.raises(SngFormatError):
        write_sng({key: value}, {})


def test_the_writer_refuses_a_mask_of_the_wrong_size():
    with pytest.raises(SngFormatError, match="16 bytes"):
        write_sng({}, {}, xor_mask=b"short")


def test_a_truncated_header_is_rejected():
    assert rejection(b"SNGPKG\x01\x00").offset == 6
    assert rejection(b"").offset == 0


def test_a_wrong_identifier_is_rejected_at_byte_zero():
    assert "identifier" in str(rejection(raw_sng(identifier=b"SNGPKX")))


def test_an_unsupported_version_is_rejected_at_its_field():
    assert rejection(raw_sng(version=2)).offset == 6


def test_a_truncated_package_is_rejected_at_every_cut():
    blob = write_sng(METADATA, FILES)
    for cut in range(0, len(blob), 97):
        rejection(blob[:cut])


def test_a_section_length_past_the_end_is_rejected():
    blob = bytearray(raw_sng())
    blob[HEADER_SIZE : HEADER_SIZE + 8] = struct.pack("<Q", 2**64 - 1)
    assert rejection(bytes(blob)).offset == HEADER_SIZE + 8


def test_a_file_range_past_the_file_data_is_rejected():
    start = data_start([], [b"a.bin"])
    assert "outside" in str(rejection(raw_sng(entries=[(b"a.bin", 10, start)], data=b"12345")))
    assert "outside" in str(rejection(raw_sng(entries=[(b"a.bin", 1, 0)], data=b"1")))


def test_overlapping_files_are_rejected():
    start = data_start([], [b"a", b"b"])
    blob = raw_sng(entries=[(b"a", 4, start), (b"b", 4, start + 2)], data=b"12345678")
    assert "overlaps" in str(rejection(blob))


@pytest.mark.parametrize("name", [b"../evil.ogg", b"sub/song.ogg", b"sub\\song.ogg", b"/etc/passwd",
                                  b"C:song.ogg", b"", b"a\x00b", b"..", b"\xff\xfe"])
def test_unsafe_embedded_file_names_are_rejected(name):
    blob = raw_sng(entries=[(name, 0, data_start([], [name]))])
    assert rejection(blob).offset == HEADER_SIZE + 4 * 8  # four u64 fields before the entry


def test_duplicate_file_names_are_rejected_even_when_only_the_case_differs():
    start = data_start([], [b"a.ogg", b"A.OGG"])
    blob = raw_sng(entries=[(b"a.ogg", 1, start), (b"A.OGG", 1, start + 1)], data=b"xy")
    assert "repeated" in str(rejection(blob))


def test_huge_counts_are_rejected_before_any_item_is_read():
    assert "metadata count" in str(rejection(raw_sng(metadata_count=2**63)))
    assert "file count" in str(rejection(raw_sng(file_count=2**64 - 1)))


def test_bad_metadata_pairs_are_rejected():
    assert "negative" in str(rejection(raw_sng([(b"k", b"v")]).replace(b"\x01\x00\x00\x00k",
                                                                      b"\xff\xff\xff\xffk")))
    assert "UTF-8" in str(rejection(raw_sng([(b"\xff", b"v")])))
    assert "repeats" in str(rejection(raw_sng([(b"k", b"v"), (b"k", b"w")])))
    assert "line break" in str(rejection(raw_sng([(b"k", b"v\nw")])))


def test_unread_bytes_are_rejected():
    assert "unread" in str(rejection(raw_sng() + b"junk"))
    assert "unread" in str(rejection(raw_sng(metadata_count=0, pairs=[(b"k", b"v")])))


VALID = write_sng(METADATA, {"notes.chart": b"chart" * 40, "song.ogg": os.urandom(700)})


def read_or_reject(data: bytes) -> None:
    with contextlib.suppress(SngFormatError):
        sng_to_folder(data)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_are_read_or_rejected_cleanly(data):
    read_or_reject(b"SNGPKG\x01\x00\x00\x00" + data)
    read_or_reject(data)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 200) | st.integers(0, len(VALID) - 1),
                          st.integers(0, 255)), max_size=8),
       st.integers(0, len(VALID)))
def test_mutated_packages_are_read_or_rejected_cleanly(changes, cut):
    blob = bytearray(VALID)
    for position, value in changes:
        blob[position] = value
    read_or_reject(bytes(blob[:cut]) if cut % 3 == 0 else bytes(blob))


safe_names = st.text(st.characters(codec="utf-8", exclude_characters='<>:"/\\|?*.\x7f',
                                   exclude_categories=("Cc", "Cs")), min_size=1, max_size=20)
safe_keys = st.text(st.characters(codec="utf-8", exclude_characters="=;\r\n\x00",
                                  exclude_categories=("Cs",)), min_size=1, max_size=10)
safe_values = st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00",
                                    exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(safe_keys, safe_values, max_size=5),
       st.dictionaries(safe_names.map(lambda name: name.strip() + ".bin"), st.binary(max_size=600),
                       max_size=5))
def test_any_valid_content_round_trips(metadata, files):
    folded = {name.casefold() for name in files}
    if len(folded) < len(files) or any(file_name_problem(name) for name in files):
        return
    package = read_sng(write_sng(metadata, files))
    assert (package.metadata, package.files) == (metadata, files)
