"""Every corpus folder packed by our `.sng` writer reads back the same in parse-sng and in ours."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from shared.songs.sng import (
    SONG_INI,
    folder_to_sng,
    metadata_from_song_ini,
    read_sng,
    sng_to_folder,
)
from tests.support.corpus import CHARTS as CORPUS
from tests.support.node_peer import installed_peer

pytestmark = pytest.mark.integration

CHART_MARKERS = ("notes.chart", "notes.mid", "song.ini")


def corpus_folders() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    folders = [path for path in CORPUS.rglob("*") if path.is_dir()]
    return sorted(f for f in folders if any((f / marker).is_file() for marker in CHART_MARKERS))


@pytest.fixture(scope="session")
def peer_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The reference tools, installed once and cached under CHHUB_SNG_PEER_DIR for reruns."""
    cache = Path(os.environ.get("CHHUB_SNG_PEER_DIR", "/tmp/chhub-sng-peer"))
    return installed_peer(cache, "parse-sng", tmp_path_factory.mktemp("sng-peer"))


def read_with_parse_sng(peer: Path, sng_path: Path) -> dict:
    result = subprocess.run(["node", str(peer / "sng.mjs"), str(sng_path)], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout)


def sha1s(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha1(data).hexdigest() for name, data in files.items()}


@pytest.mark.parametrize("folder", corpus_folders(), ids=lambda f: str(f.relative_to(CORPUS)))
def test_a_corpus_folder_packed_as_sng_reads_back_the_same(folder, peer_dir, tmp_path):
    folder_files = {path.name: path.read_bytes() for path in folder.iterdir() if path.is_file()}
    ini = next((data for name, data in folder_files.items() if name.casefold() == SONG_INI), None)
    metadata = metadata_from_song_ini(ini) if ini is not None else {}
    files = {name: data for name, data in folder_files.items() if name.casefold() != SONG_INI}
    sng_path = tmp_path / "song.sng"
    sng_path.write_bytes(folder_to_sng(folder_files))

    peer = read_with_parse_sng(peer_dir, sng_path)
    assert peer["version"] == 1
    assert peer["metadata"] == metadata
    assert peer["files"][0]["name"] == SONG_INI
    assert {entry["name"]: entry["sha1"] for entry in peer["files"][1:]} == sha1s(files)

    package = read_sng(sng_path.read_bytes())
    assert (package.metadata, package.files) == (metadata, files)
    unpacked = sng_to_folder(sng_path.read_bytes())
    assert metadata_from_song_ini(unpacked.pop(SONG_INI)) == metadata
    assert unpacked == files
