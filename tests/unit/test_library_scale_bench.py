"""The library scale bench's Songs folder (distinct corpus songs laid out as a player's) and
its songs/s per tenth of an import."""

from __future__ import annotations

import zipfile
from datetime import UTC, datetime, timedelta

import pytest

from bench.library_figures import tenths, typo
from bench.library_folder import write_songs_folder
from services.importer.library_walk import walk_library
from tests.support.corpus import CORPUS

pytestmark = pytest.mark.unit


def test_every_song_of_the_folder_is_distinct_and_every_kth_is_a_zip(tmp_path):
    folder = write_songs_folder(tmp_path / "Songs", CORPUS / "charts", 12, zip_every=4,
                                audio_kb=2)

    items = list(walk_library(folder.root))
    md5s = [md5 for item in items for md5 in item.md5s]
    assert sorted(item.kind for item in items) == ["archive"] * 3 + ["folder"] * 9
    assert len(md5s) == len(set(md5s)) == 12
    assert (folder.songs, folder.archives) == (12, 3)


def test_songs_sit_in_artist_and_title_folders(tmp_path):
    folder = write_songs_folder(tmp_path / "Songs", CORPUS / "charts", 5)

    depths = {len(path.relative_to(folder.root).parts) for path in folder.root.rglob("*")
              if path.is_file()}
    assert depths == {3}  # Artist/Title #n/file


def test_song_bytes_count_archived_songs_unpacked(tmp_path):
    folder = write_songs_folder(tmp_path / "Songs", CORPUS / "charts", 6, zip_every=2,
                                audio_kb=4)

    loose = sum(p.stat().st_size for p in folder.root.rglob("*")
                if p.is_file() and p.suffix != ".zip")
    zipped = sum(info.file_size for p in folder.root.rglob("*.zip")
                 for info in zipfile.ZipFile(p).infolist())
    assert folder.song_bytes == loose + zipped


def test_each_tenth_is_timed_from_the_end_of_the_one_before():
    start = datetime(2025, 1, 1, tzinfo=UTC)
    sent = [start + timedelta(seconds=i * 0.5) for i in range(20)]
    # Two songs a second for the first half, then one a second.
    published = [start + timedelta(seconds=0.5 * (i + 1)) for i in range(10)]
    published += [published[-1] + timedelta(seconds=i + 1) for i in range(10)]

    rows = tenths(sent, published)

    assert [row.songs for row in rows] == [2] * 10
    assert [row.published_per_s for row in rows] == [2.0] * 5 + [1.0] * 5
    assert rows[-1].ended_after_s == 15.0
    assert rows[1].sent_per_s == 2.0


def test_a_typo_leaves_out_the_letter_in_the_middle_of_the_word():
    assert typo("mountain") == "mounain"
