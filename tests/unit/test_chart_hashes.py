"""Folder md5, chart hash and the BLAKE3 used by both, computed as scan-chart computes them."""

from __future__ import annotations

import hashlib

import pytest

from shared.songs.hashes import chart_hash, folder_md5
from shared.songs.ini import DEFAULT_METADATA

pytestmark = pytest.mark.unit


def test_folder_md5_hashes_names_and_bytes_in_name_order():
    files = {"song.ini": b"[song]\n", "notes.chart": b"chart", "Album.png": b"png"}
    expected = hashlib.md5(b"Album.pngpngnotes.chartchartsong.ini[song]\n").hexdigest()
    assert folder_md5(files) == expected
    assert folder_md5(dict(reversed(files.items()))) == expected


def test_folder_md5_hashes_names_as_utf8():
    expected = hashlib.md5("é.ini".encode() + b"x").hexdigest()
    assert folder_md5({"é.ini": b"x"}) == expected


def test_chart_hash_changes_only_with_modifiers_that_differ_from_defaults():
    plain = chart_hash(b"chart", DEFAULT_METADATA)
    assert chart_hash(b"chart", {**DEFAULT_METADATA, "name": "other"}) == plain
    assert chart_hash(b"chart", {**DEFAULT_METADATA, "pro_drums": True}) != plain
    assert chart_hash(b"chart", {**DEFAULT_METADATA, "hopo_frequency": 170}) != plain
    assert plain.endswith("=") and len(plain) == 44  # base64url of 32 bytes, padded
