"""`chhub scan` reports a song folder, a .sng file and every song of an archive."""

from __future__ import annotations

import json
import zipfile

from click.testing import CliRunner

from services.ingest.scan_command import scan
from shared.songs.sng import folder_to_sng

AMAZING = "donnaken15-charts/Amazing"


def folder_files(corpus, name=AMAZING) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (corpus / name).iterdir() if p.is_file()}


def test_a_song_folder_is_reported_as_one_json_object(corpus):
    result = CliRunner().invoke(scan, [str(corpus / AMAZING)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert (report["name"], report["artist"], report["chartFile"]) == (
        "Amazing", "Neversoft", "notes.chart")


def test_a_sng_file_is_reported_like_its_folder(corpus, tmp_path):
    container = tmp_path / "amazing.sng"
    container.write_bytes(folder_to_sng(folder_files(corpus)))
    report = json.loads(CliRunner().invoke(scan, [str(container)]).output)
    assert report["name"] == "Amazing"
    assert report["notesData"]["noteCounts"]


def test_an_archive_reports_each_song_with_its_folder(corpus, tmp_path):
    archive = tmp_path / "pack.zip"
    with zipfile.ZipFile(archive, "w") as pack:
        for name, data in folder_files(corpus).items():
            pack.writestr(f"Pack/Amazing/{name}", data)
        pack.writestr("Pack/Broken/song.ini", b"[song]\nname = Broken\n")
    reports = json.loads(CliRunner().invoke(scan, [str(archive)]).output)
    assert [r["folder"] for r in reports] == ["Pack/Amazing", "Pack/Broken"]
    assert reports[0]["name"] == "Amazing"
    assert "no notes.chart or notes.mid" in reports[1]["error"]


def test_pretty_output_is_readable(corpus):
    result = CliRunner().invoke(scan, [str(corpus / AMAZING), "--pretty"])
    assert "Neversoft - Amazing  [notes.chart]" in result.output
    assert "guitar expert" in " ".join(result.output.split())
