"""Lower difficulties generated from Expert go through the pipeline as new revisions: asked for
one song (and undone), by an upload, or by the library for every new song."""

from __future__ import annotations

import time

import httpx

from shared.songs.ini import parse_ini
from tests.support.songs import song_files, wait_for_upload, zip_bytes

EXHILARATE = "donnaken15-charts/Kevin MacLeod - Exhilarate"  # guitar and drums on Expert only
LOWER = {"hard", "medium", "easy"}


def wait_for(predicate, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise TimeoutError("the condition never held")


def send(stack, token, corpus, unique, query: str = "") -> str:
    """Uploads the song; the id of the song it became once published."""
    response = httpx.post(f"{stack.gateway_url}/api/uploads/{query}",
                          headers={"Authorization": f"Bearer {token}"},
                          files={"file": ("song.zip", zip_bytes(song_files(
                              corpus / EXHILARATE, unique)))}, timeout=120)
    assert response.status_code == 202, response.text
    details = wait_for_upload(stack, response.json()["upload_id"])
    assert details["state"] == "completed", details
    return details["songs"][0]["song_id"]


def song_at(stack, song_id: str, revision: int) -> dict:
    """The song once `revision` of it is cataloged and published."""
    def reached():
        song = httpx.get(f"{stack.gateway_url}/api/songs/{song_id}").json()
        folder = stack.content_dir / song["file_path"]
        published = (folder / "song.ini").is_file() and parse_ini(
            (folder / "song.ini").read_bytes()).song.get("generated_difficulties") == \
            (song["metadata"]["metadata"].get("generated_difficulties"))
        return song if song["revision"] == revision and published else None

    return wait_for(reached)


def charted(song: dict) -> dict[str, set[str]]:
    parts: dict[str, set[str]] = {}
    for entry in song["metadata"]["notesData"]["noteCounts"]:
        if entry["count"]:
            parts.setdefault(entry["instrument"], set()).add(entry["difficulty"])
    return parts


def new_issues(song: dict) -> list[dict]:
    """Issues of a generated difficulty that its part's Expert does not have already."""
    issues = song["metadata"]["notesData"]["chartIssues"]
    expert = {(i.get("instrument"), i.get("noteIssue")) for i in issues
              if i.get("difficulty") == "expert"}
    return [i for i in issues if i.get("difficulty") in LOWER
            and (i.get("instrument"), i.get("noteIssue")) not in expert]


def ask(stack, token, song_id: str, action: str) -> httpx.Response:
    return httpx.post(f"{stack.gateway_url}/api/songs/{song_id}/difficulties",
                      json={"action": action}, headers={"Authorization": f"Bearer {token}"})


def published_ini(stack, song: dict) -> dict[str, str]:
    return parse_ini((stack.content_dir / song["file_path"] / "song.ini").read_bytes()).song


def test_an_admin_generates_lower_difficulties_for_a_song_and_removes_them_again(
        stack, admin_token, corpus, unique):
    song_id = send(stack, admin_token, corpus, unique)
    original = song_at(stack, song_id, 1)
    assert charted(original) == {"guitar": {"expert"}, "drums": {"expert"}}
    assert ask(stack, admin_token, song_id, "remove").status_code == 409  # nothing generated

    answer = ask(stack, admin_token, song_id, "generate")
    assert answer.status_code == 202, answer.text
    assert answer.json()["revision"] == 2
    generated = song_at(stack, song_id, 2)
    assert charted(generated) == {"guitar": {"expert", *LOWER}, "drums": {"expert", *LOWER}}
    assert published_ini(stack, generated)["generated_difficulties"] == "guitar,drums"
    assert new_issues(generated) == []
    assert ask(stack, admin_token, song_id, "generate").status_code == 409  # nothing left

    answer = ask(stack, admin_token, song_id, "remove")
    assert answer.status_code == 202, answer.text
    restored = song_at(stack, song_id, 3)
    assert charted(restored) == charted(original)
    assert "generated_difficulties" not in published_ini(stack, restored)
    expert = {(e["instrument"], e["difficulty"]): e["hash"]
              for e in restored["metadata"]["notesData"]["trackHashes"]}
    assert expert == {(e["instrument"], e["difficulty"]): e["hash"]
                      for e in original["metadata"]["notesData"]["trackHashes"]}


def test_only_admins_may_ask_for_generated_difficulties(stack, admin_token, corpus, unique):
    song_id = send(stack, admin_token, corpus, unique)
    anonymous = httpx.post(f"{stack.gateway_url}/api/songs/{song_id}/difficulties",
                           json={"action": "generate"})
    assert anonymous.status_code in (401, 403)
    assert httpx.get(f"{stack.gateway_url}/api/songs/{song_id}").json()["revision"] == 1


def test_an_upload_that_asks_for_lower_difficulties_gets_them_for_each_song(
        stack, admin_token, corpus, unique):
    song_id = send(stack, admin_token, corpus, unique, "?generate_difficulties=true")
    generated = song_at(stack, song_id, 2)
    assert charted(generated) == {"guitar": {"expert", *LOWER}, "drums": {"expert", *LOWER}}
    assert published_ini(stack, generated)["generated_difficulties"] == "guitar,drums"

    # Undone, it stays undone: only a new song is asked for.
    assert ask(stack, admin_token, song_id, "remove").status_code == 202
    restored = song_at(stack, song_id, 3)
    assert charted(restored) == {"guitar": {"expert"}, "drums": {"expert"}}


def test_a_library_that_generates_lower_difficulties_gives_them_to_every_new_song(
        stack, admin_token, corpus, unique):
    stack.restart("catalog", CHHUB_GENERATE_DIFFICULTIES="true")
    try:
        song_id = send(stack, admin_token, corpus, unique)
        generated = song_at(stack, song_id, 2)
    finally:
        stack.restart("catalog")
    assert charted(generated) == {"guitar": {"expert", *LOWER}, "drums": {"expert", *LOWER}}
    assert published_ini(stack, generated)["generated_difficulties"] == "guitar,drums"
