"""An audio file sent to the gateway becomes an auto-generated song in the library."""

from __future__ import annotations

import httpx

from tests.support.songs import wait_for_upload
from tests.unit.test_generator import synthetic_track, wav


def test_an_audio_file_becomes_a_generated_song_in_the_library(stack, admin_token, unique):
    samples, _, _ = synthetic_track()
    response = httpx.post(
        f"{stack.gateway_url}/api/generate",
        params={"name": f"Generated {unique}", "artist": "Test Tones"},
        files={"file": ("tones.wav", wav(samples))},
        headers={"Authorization": f"Bearer {admin_token}"}, timeout=60)
    assert response.status_code == 202, response.text
    details = wait_for_upload(stack, response.json()["upload_id"], timeout=240)
    assert details["state"] == "completed", details
    [song] = details["songs"]
    assert song["stage"] == "published"
    assert song["name"] == f"Generated {unique}"
    folder = stack.content_dir / song["content_path"]
    assert {"notes.chart", "song.ini", "song.ogg"} <= {p.name for p in folder.iterdir()}
    assert "auto-generated" in (folder / "song.ini").read_text(encoding="utf-8")


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
