"""A library song as a `.sng`: metadata filled from song.ini, the .chart's [Song] fields, the
measured audio length and the library; and an exported `.sng` recognised as the same song."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from services.ingest.same_song import first_same_song
from shared.manifest import Manifest, ManifestFile
from shared.songs.identity import song_content
from shared.songs.sng import read_sng, sng_to_folder
from shared.songs.sng_export import sng_metadata, song_to_sng

pytestmark = pytest.mark.unit

CHART = (b'[Song]\r\n{\r\n  Name = "Chart Name"\r\n  Artist = "Chart Artist"\r\n'
         b'  Offset = 0.25\r\n  Resolution = 192\r\n  Year = ", 2004"\r\n  Genre = "rock"\r\n}\r\n'
         b"[SyncTrack]\r\n{\r\n  0 = B 120000\r\n}\r\n"
         b"[ExpertSingle]\r\n{\r\n  768 = N 0 0\r\n}\r\n")
AUDIO = b"OggS not really" * 10


def test_a_song_without_song_ini_gets_the_charts_fields_and_the_measured_length():
    metadata = sng_metadata({"notes.chart": CHART, "song.ogg": AUDIO}, 183412.4)
    assert metadata == {"name": "Chart Name", "artist": "Chart Artist", "genre": "rock",
                        "year": "2004", "delay": "250", "song_length": "183412"}


def test_song_ini_pairs_come_first_and_win_over_the_chart():
    ini = b"[song]\r\nname = Ini Name\r\nsong_length = 0\r\npro_drums = True\r\nunknown = kept\r\n"
    metadata = sng_metadata({"notes.chart": CHART, "song.ini": ini}, 5000)
    assert list(metadata)[:4] == ["name", "song_length", "pro_drums", "unknown"]
    assert metadata["name"] == "Ini Name" and metadata["artist"] == "Chart Artist"
    assert metadata["song_length"] == "5000"  # 0 is no length: Clone Hero needs one


def test_a_song_length_the_ini_gives_is_kept():
    ini = b"[song]\nsong_length = 61000\n"
    assert sng_metadata({"notes.chart": CHART, "song.ini": ini}, 5000)["song_length"] == "61000"


def test_the_library_fills_what_the_files_leave_out():
    metadata = sng_metadata({"notes.mid": b"MThd", "song.ogg": AUDIO}, None,
                            {"name": "Library Name", "artist": "Library Artist", "album": ""})
    assert metadata == {"name": "Library Name", "artist": "Library Artist"}


def test_the_sng_holds_the_filled_metadata_and_every_file_but_song_ini():
    files = {"notes.chart": CHART, "song.ogg": AUDIO, "Song.INI": b"[song]\nname = X\n"}
    package = read_sng(song_to_sng(files, 1000))
    assert package.metadata["name"] == "X" and package.metadata["song_length"] == "1000"
    assert package.files == {"notes.chart": CHART, "song.ogg": AUDIO}


def manifest(song_id: uuid.UUID, files: dict[str, bytes]) -> Manifest:
    return Manifest(song_id=song_id, revision=1, md5="0" * 32, files=tuple(
        ManifestFile(name=name, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
        for name, data in files.items()))


def test_an_exported_sng_unpacks_to_the_same_song_content_despite_a_new_song_ini():
    ini = b"; made by hand\r\n[Song]\r\nName = Hand Made\r\nhopo_frequency = 90\r\n"
    original = {"notes.chart": CHART, "song.ogg": AUDIO, "song.ini": ini}
    unpacked = sng_to_folder(song_to_sng(original, 9000))
    assert unpacked["song.ini"] != original["song.ini"]
    content = song_content(unpacked)
    assert content == song_content(original)
    library, own = uuid.uuid4(), uuid.uuid4()
    manifests = {"library": manifest(library, original)}
    assert first_same_song(content, [(own, "own"), (library, "library")], manifests.__getitem__,
                           own) == library


def test_play_settings_or_other_files_make_another_song():
    original = {"notes.chart": CHART, "song.ogg": AUDIO, "song.ini": b"[song]\nname = A\n"}
    other_settings = {**original, "song.ini": b"[song]\nname = A\nhopo_frequency = 90\n"}
    other_audio = {**original, "song.ogg": AUDIO + b"!"}
    assert song_content(other_settings).chart_hash != song_content(original).chart_hash
    library = uuid.uuid4()
    manifests = {"library": manifest(library, original)}
    assert first_same_song(song_content(other_audio), [(library, "library")],
                           manifests.__getitem__, uuid.uuid4()) is None
