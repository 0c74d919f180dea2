"""Custom content through the whole stack: uploaded on its page, checked by ingest, listed by
the catalog, published by sync into the content folder's Custom folder, and deleted again."""

from __future__ import annotations

import html
import io
import re
import time

import httpx
from PIL import Image

from tests.support.stack import Stack

ITEM = r'<li class="panel custom-item".*?</li>\s*(?=<li class="panel|</ul>)'
WEBM = bytes.fromhex("1A45DFA3") + b"\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 256


def png(unique: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 36), (int(unique[:2], 16), 40, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def upload(stack: Stack, token: str, section: str, filename: str, data: bytes) -> str:
    response = httpx.post(f"{stack.gateway_url}/{section}", files={"file": (filename, data)},
                          headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert response.status_code == 200, response.text
    return response.text


def wait_for_item(stack: Stack, section: str, filename: str, states: set[str],
                  timeout: float = 60) -> str:
    """The item's HTML on its page once it reaches one of `states`."""
    deadline = time.monotonic() + timeout
    item = ""
    while time.monotonic() < deadline:
        page = httpx.get(f"{stack.gateway_url}/{section}", timeout=10).text
        for item in re.findall(ITEM, page, re.S):
            state = re.search(r'data-state="(\w+)"', item).group(1)
            if f'data-filename="{filename}"' in item and state in states:
                return item
        time.sleep(0.3)
    raise TimeoutError(f"{filename} never reached {states} on /{section}: {item[:500]}")


def test_a_background_is_checked_listed_and_lands_in_the_custom_folder_then_leaves(
        stack, admin_token, unique):
    name = f"stage-{unique}.png"
    data = png(unique)
    assert "is being checked" in upload(stack, admin_token, "backgrounds", name, data)
    item = wait_for_item(stack, "backgrounds", name, {"published"})
    assert "64\N{MULTIPLICATION SIGN}36" in item and '<img class="custom-preview"' in item
    landed = stack.content_dir / "custom" / "Image Backgrounds" / name
    assert landed.read_bytes() == data

    content_id = re.search(r"/custom/([0-9a-f-]{36})/file", item).group(1)
    assert httpx.get(f"{stack.gateway_url}/custom/{content_id}/file").content == data
    headers = {"Authorization": f"Bearer {admin_token}"}
    confirm = httpx.get(f"{stack.gateway_url}/custom/{content_id}/delete", headers=headers)
    assert "Yes, delete it" in confirm.text
    deleted = httpx.post(f"{stack.gateway_url}/custom/{content_id}/delete", headers=headers)
    assert deleted.status_code == 303 and deleted.headers["location"] == "/backgrounds"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
            landed.exists() or name in httpx.get(f"{stack.gateway_url}/backgrounds").text):
        time.sleep(0.2)
    assert not landed.exists()
    assert name not in httpx.get(f"{stack.gateway_url}/backgrounds").text


def test_a_color_profile_with_a_bad_color_is_rejected_with_the_reason(stack, admin_token, unique):
    name = f"neon-{unique}.ini"
    profile = b"[guitar]\nnote_green = #00FF00\nnote_red = #FF00ZZ\n"
    upload(stack, admin_token, "colors", name, profile)
    item = html.unescape(wait_for_item(stack, "colors", name, {"rejected"}))
    assert "line 3: note_red = #FF00ZZ is not a #RRGGBB color" in item
    assert not (stack.content_dir / "custom" / "Colors" / name).exists()


def test_a_good_color_profile_shows_its_swatches(stack, admin_token, unique):
    name = f"calm-{unique}.ini"
    upload(stack, admin_token, "colors", name, b"[guitar]\nnote_green = #11AA22\n")
    item = wait_for_item(stack, "colors", name, {"published"})
    assert 'fill="#11AA22"' in item
    assert (stack.content_dir / "custom" / "Colors" / name).is_file()


def test_a_video_highway_lands_in_its_own_video_highways_folder(stack, admin_token, unique):
    name = f"road-{unique}.webm"
    upload(stack, admin_token, "highways", name, WEBM)
    item = wait_for_item(stack, "highways", name, {"published"})
    assert "<video" in item
    landed = stack.content_dir / "custom" / "Video Highways" / f"road-{unique}" / "highway.webm"
    assert landed.read_bytes() == WEBM


def test_an_mp4_background_is_accepted_with_the_linux_warning(stack, admin_token, unique):
    name = f"loop-{unique}.mp4"
    upload(stack, admin_token, "backgrounds", name, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
    item = wait_for_item(stack, "backgrounds", name, {"published"})
    assert "Clone Hero on Linux plays only .webm and .ogv" in html.unescape(item)


def test_a_file_of_the_wrong_kind_is_refused_at_once(stack, admin_token, unique):
    response = httpx.post(f"{stack.gateway_url}/highways",
                          files={"file": (f"x-{unique}.ini", b"[guitar]\n")},
                          headers={"Authorization": f"Bearer {admin_token}"})
    assert response.status_code == 400 and "must be one of" in response.text


def test_viewers_may_not_upload_custom_content(stack, unique):
    response = httpx.post(f"{stack.gateway_url}/backgrounds",
                          files={"file": (f"s-{unique}.png", png(unique))})
    assert response.status_code in {401, 403}
