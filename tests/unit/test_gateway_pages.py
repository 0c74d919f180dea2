"""Pure helpers behind the pages: graph, issue texts, art sniffing, zips, safe redirects."""

from __future__ import annotations

import io
import uuid
import zipfile

from services.gateway.rendering.song_view import (
    ISSUES_LISTED,
    all_issues,
    explain,
    nps_graph,
    peak_bars,
)
from services.gateway.security import safe_next
from services.gateway.song_files import attachment, zip_chunks
from services.gateway.song_media import sniff_image
from shared.manifest import Manifest
from shared.song_store import SongStore
from shared.storage import InMemoryObjectStore


def test_the_graph_draws_the_hardest_difficulty_of_each_instrument():
    notes = {"npsGraph": [
        {"instrument": "guitar", "difficulty": "easy", "perSecond": [1, 1]},
        {"instrument": "guitar", "difficulty": "expert", "perSecond": [2, 8, 4]},
        {"instrument": "drums", "difficulty": "hard", "perSecond": [3]}]}
    graph = nps_graph(notes)
    assert [(s.instrument, s.difficulty, s.peak) for s in graph.series] == [
        ("guitar", "expert", 8), ("drums", "hard", 3)]
    assert graph.top == 8 and graph.seconds == 3


def test_without_per_second_data_the_peaks_are_bars():
    bars = peak_bars({"maxNps": [{"instrument": "bass", "difficulty": "expert", "nps": 5},
                                 {"instrument": "keys", "difficulty": "expert", "nps": 10}]})
    assert [b.length for b in bars] == [50, 100]
    assert nps_graph({}) is None


def test_issues_get_a_plain_explanation_or_keep_their_description():
    assert "album" in explain({"folderIssue": "noAlbumArt", "description": "x"})
    assert explain({"folderIssue": "somethingNew", "description": "As scanned."}) == "As scanned."


def test_issues_come_by_kind_with_their_count_and_the_first_few_listed():
    forbidden = [{"noteIssue": "difficultyForbiddenNote", "instrument": "guitar",
                  "difficulty": "easy", "description": f"[00:{n:02}.00]: An open note."}
                 for n in range(ISSUES_LISTED + 5)]
    scan = {"folderIssues": [{"folderIssue": "noAlbumArt", "description": "No art."}],
            "notesData": {"chartIssues": [*forbidden, {
                "noteIssue": "invalidChord", "instrument": "drums", "difficulty": "expert",
                "description": "[00:30.00]: The use of this type of chord is discouraged."}]}}
    art, notes, chord = all_issues(scan)
    assert (art.count, art.unlisted, "album" in art.explanation) == (1, 0, True)
    assert (notes.count, len(notes.listed), notes.unlisted) == (ISSUES_LISTED + 5,
                                                                ISSUES_LISTED, 5)
    assert [i.description for i in notes.listed] == [
        f["description"] for f in forbidden[:ISSUES_LISTED]]
    # a kind without a plain explanation is named by its description, without the time
    assert chord.explanation == "The use of this type of chord is discouraged."
    assert chord.listed[0].description.startswith("[00:30.00]")


def test_album_art_type_comes_from_the_bytes_not_the_name():
    assert sniff_image(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert sniff_image(b"\xff\xd8\xff\xe0") == "image/jpeg"
    assert sniff_image(b'<?xml version="1.0"?><svg xmlns="...">') == "image/svg+xml"
    assert sniff_image(b"<html><script>") == "application/octet-stream"


def test_a_song_downloads_as_a_zip_with_its_folder():
    store = InMemoryObjectStore()
    store.ensure_bucket("songs")
    songs = SongStore(store, "songs")
    _, manifest = songs.save_revision(uuid.uuid4(), 1, "0" * 32,
                                      {"song.ini": b"[song]\n", "song.ogg": b"OggS" * 100})
    data = b"".join(zip_chunks(songs, [("Amazing_1", Manifest.model_validate(manifest))]))
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.read("Amazing_1/song.ogg") == b"OggS" * 100
        assert sorted(archive.namelist()) == ["Amazing_1/song.ini", "Amazing_1/song.ogg"]


def test_download_names_are_safe_in_a_header():
    header = attachment('AC/DC "Live"\r\n.zip')
    assert "\r" not in header and "\n" not in header and '"Live"' not in header


def test_sign_in_only_sends_people_to_local_pages():
    assert safe_next("/library?q=x") == "/library?q=x"
    for target in ("https://evil.example/", "//evil.example", "/\\evil", None, ""):
        assert safe_next(target) == "/"


def test_pages_render_from_templates_loaded_once_not_looked_up_on_disk_each_time(tmp_path):
    from litestar.plugins.jinja import JinjaTemplateEngine

    from services.gateway.rendering.templates import configure_templates

    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "page.html").write_text("first")
    engine = JinjaTemplateEngine(directory=folder)
    configure_templates(engine)
    assert engine.get_template("page.html").render() == "first"
    (folder / "page.html").write_text("second")
    assert engine.get_template("page.html").render() == "first"
