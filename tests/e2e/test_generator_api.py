"""An audio file sent to the gateway becomes an auto-generated song in the library."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.support.songs import wait_for_upload
from tests.unit.test_generator import synthetic_track, wav


@pytest.fixture(scope="module")
def generated(stack, admin_token) -> tuple[dict, str]:
    """One song generated through the API: (the finished upload's details, its title)."""
    title = f"Generated {uuid.uuid4().hex[:12]}"
    samples, _, _ = synthetic_track()
    response = httpx.post(
        f"{stack.gateway_url}/api/generate", params={"name": title, "artist": "Test Tones"},
        files={"file": ("tones.wav", wav(samples))},
        headers={"Authorization": f"Bearer {admin_token}"}, timeout=60)
    assert response.status_code == 202, response.text
    return wait_for_upload(stack, response.json()["upload_id"], timeout=240), title


def test_an_audio_file_becomes_a_generated_song_in_the_library(stack, generated):
    details, title = generated
    assert details["state"] == "completed", details
    [song] = details["songs"]
    assert song["stage"] == "published"
    assert song["name"] == title
    folder = stack.content_dir / song["content_path"]
    assert {"notes.chart", "song.ini", "song.ogg"} <= {p.name for p in folder.iterdir()}
    assert "auto-generated" in (folder / "song.ini").read_text(encoding="utf-8")


def test_the_finished_generation_shows_a_preview_of_the_chart(stack, admin_token, generated):
    details, _ = generated
    [song] = details["songs"]
    auth = {"Authorization": f"Bearer {admin_token}"}
    preview_url = f"/songs/{song['song_id']}/chart-preview"
    status = httpx.get(f"{stack.gateway_url}/uploads/{details['id']}/status", headers=auth)
    assert f'hx-get="{preview_url}"' in status.text          # the generator page loads it
    song_page = httpx.get(f"{stack.gateway_url}/songs/{song['song_id']}", headers=auth)
    assert f'hx-get="{preview_url}"' in song_page.text       # and so does the song page
    fragment = httpx.get(f"{stack.gateway_url}{preview_url}",
                         headers={**auth, "HX-Request": "true"})
    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in fragment.text
    assert fragment.text.count('class="gem ') >= 20
    assert 'aria-current="true">Expert<' in fragment.text
    assert "<script" not in fragment.text
    drums = httpx.get(f"{stack.gateway_url}{preview_url}",
                      params={"instrument": "drums", "difficulty": "easy", "at": "0"}, headers=auth)
    assert "<html" in drums.text and "Easy drums" in drums.text  # without htmx: a whole page
    assert "script-src 'self'" in drums.headers["content-security-policy"]


def test_a_file_that_is_not_audio_is_refused_with_a_reason(stack, admin_token):
    response = httpx.post(f"{stack.gateway_url}/api/generate",
                          files={"file": ("notes.txt", b"hello")},
                          headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 400
    assert "audio file" in response.json()["error"]


def test_the_generator_page_needs_an_uploader(stack):
    response = httpx.get(f"{stack.gateway_url}/generator", follow_redirects=False)
    assert response.status_code in {302, 303, 401, 403}


def test_the_generator_page_offers_an_audio_upload_form(stack, admin_token):
    response = httpx.get(f"{stack.gateway_url}/generator",
                         headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 200
    assert 'id="generator-form"' in response.text and "Audio file" in response.text
