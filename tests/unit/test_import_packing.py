"""A song folder packed for sending is a zip of exactly its files under the folder's name, built
a piece at a time, whose every byte is counted; the ingest unpacks it into the same folder."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from services.importer.packing import PIECE_BYTES, zipped_folder
from shared.songs.archives import extract_archive

FILES = {"song.ini": b"[song]\nname = Hello\n", "notes.chart": b"[Song]\n{\n}\n" * 50,
         "Song Stém.ogg": bytes(range(256)) * (PIECE_BYTES // 256 + 3)}


def a_folder(root: Path) -> Path:
    folder = root / "Someone - Hello"
    folder.mkdir()
    for name, data in FILES.items():
        (folder / name).write_bytes(data)
    (folder / "left out.txt").write_text("not one of the song's files")
    return folder


def test_the_zip_holds_the_folders_files_stored_and_counted_piece_by_piece(tmp_path):
    folder = a_folder(tmp_path)
    counted = [0]
    pieces = list(zipped_folder(folder, tuple(sorted(FILES)), counted))
    packed = b"".join(pieces)

    assert len(pieces) > 3, "it is sent as it is read, not built whole first"
    assert counted == [len(packed)]
    with zipfile.ZipFile(io.BytesIO(packed)) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == [f"Someone - Hello/{n}" for n in sorted(FILES)]
        assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
        assert {n: archive.read(f"Someone - Hello/{n}") for n in FILES} == FILES


def test_the_ingest_unpacks_it_into_the_same_song_folder(tmp_path):
    folder = a_folder(tmp_path)
    packed = tmp_path / "upload"
    packed.write_bytes(b"".join(zipped_folder(folder, tuple(sorted(FILES)), [0])))
    extract_archive(packed, tmp_path / "tree")
    unpacked = tmp_path / "tree" / "Someone - Hello"
    assert {p.name: p.read_bytes() for p in unpacked.iterdir()} == FILES
