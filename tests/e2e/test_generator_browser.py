"""In a real browser (headless Chromium), an uploader generates a song from audio on the
generator page and sees a preview of the chart, then switches part and difficulty."""

from __future__ import annotations

import pytest

from tests.e2e.test_browser import PASSWORD, shot, sign_in, unnamed_controls
from tests.unit.test_generator import synthetic_track, wav

pytestmark = pytest.mark.usefixtures("stack")  # Chromium must be installed: CI installs it


def test_the_generator_page_shows_the_generated_chart_as_a_highway(
        browser, stack, unique, tmp_path):
    username = f"gina-{unique[:6]}"
    stack.chhub("admin", "create", "--username", username, "--password", PASSWORD,
                "--role", "uploader")
    audio = tmp_path / "tones.wav"
    audio.write_bytes(wav(synthetic_track()[0]))
    page = sign_in(browser, stack, username)
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto("/generator")
    page.get_by_label("Audio file").set_input_files(str(audio))
    page.get_by_label("Title").fill(f"Browser Tones {unique}")
    page.get_by_role("button", name="Generate").click()

    highway = page.locator("#chart-preview svg.highway")
    highway.wait_for(timeout=240_000)
    assert "Expert guitar" in highway.get_attribute("aria-label")
    assert page.locator("#chart-preview .gem").count() >= 20
    assert page.get_by_role("link", name="Expert").get_attribute("aria-current") == "true"
    assert unnamed_controls(page) == []
    shot(page, "generator-preview")

    page.get_by_role("link", name="Drums").click()   # htmx swaps the preview in place
    page.locator('#chart-preview svg[aria-label^="Expert drums"]').wait_for()
    page.get_by_role("link", name="Easy").click()
    page.locator('#chart-preview svg[aria-label^="Easy drums"]').wait_for()
    assert page.url.endswith("/generator")              # still on the generator page
    assert refused == []
    page.close()
