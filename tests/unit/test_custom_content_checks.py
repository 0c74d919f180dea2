"""Custom content checks: images decoded, videos by their magic bytes, color profiles read
with Clone Hero's own keys; and where in Clone Hero's Custom folder each file goes."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from shared.custom_colors import KEYS
from shared.custom_content import InvalidCustomContent, check, custom_path, safe_filename

WEBM = bytes.fromhex("1A45DFA3") + b"\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\x00" * 64
OGV = b"OggS\x00\x02" + b"\x00" * 22 + b"\x80theora" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64
PROFILE = b"""[guitar]
note_green = #00FF00
sustain_sp_active = #00ffff
[drums]
cym_yellow = #FFFF00
[sixfret]
sf_note_black_left = #3f3f3f
[other]
combo_four_glow = #e8b1ff
"""


def image(fmt: str, size: tuple[int, int] = (64, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=fmt)
    return buffer.getvalue()


def reason(kind: str, name: str, data: bytes) -> str:
    with pytest.raises(InvalidCustomContent) as caught:
        check(kind, name, data)
    return caught.value.reason


def test_a_png_background_is_an_image_with_its_size():
    checked = check("background", "Stage.PNG", image("PNG"))
    assert (checked.media, checked.width, checked.height) == ("image", 64, 32)
    assert checked.filename == "Stage.png" and checked.warnings == ()


def test_a_jpeg_highway_may_be_named_jpg_or_jpeg():
    assert check("highway", "road.jpg", image("JPEG")).media == "image"
    assert check("highway", "road.jpeg", image("JPEG")).media == "image"


def test_an_image_whose_bytes_do_not_match_its_extension_is_rejected():
    assert "holds a JPEG image" in reason("background", "fake.png", image("JPEG"))


def test_a_damaged_image_is_rejected():
    assert "not a readable image" in reason("background", "broken.png", image("PNG")[:40])


def test_an_image_too_small_or_too_large_is_rejected():
    assert "each side must be" in reason("background", "tiny.png", image("PNG", (4, 4)))
    assert "each side must be" in reason("highway", "tall.png", image("PNG", (16, 9000)))


def test_webm_and_ogv_videos_are_checked_by_their_magic_bytes():
    assert check("highway", "road.webm", WEBM).media == "video"
    assert check("background", "loop.ogv", OGV).media == "video"
    assert "not a WebM" in reason("highway", "road.webm", OGV)
    assert "not an Ogg Theora" in reason("background", "loop.ogv", b"OggS" + b"\x00" * 60)


def test_an_mp4_is_accepted_with_a_warning_about_linux_rigs():
    checked = check("background", "loop.mp4", MP4)
    assert checked.media == "video"
    assert "Linux" in checked.warnings[0]


def test_a_kind_refuses_files_it_cannot_use():
    assert "must be one of .ini" in reason("color", "colors.png", image("PNG"))
    assert "must be one of" in reason("background", "notes.ini", PROFILE)
    assert "empty" in reason("background", "empty.png", b"")


def test_a_color_profile_gives_its_colors_in_order_normalised():
    checked = check("color", "neon.ini", PROFILE)
    assert checked.media == "colors"
    assert checked.colors == (("guitar", "note_green", "#00FF00"),
                              ("guitar", "sustain_sp_active", "#00FFFF"),
                              ("drums", "cym_yellow", "#FFFF00"),
                              ("sixfret", "sf_note_black_left", "#3F3F3F"),
                              ("other", "combo_four_glow", "#E8B1FF"))
    assert checked.warnings == ()


def test_the_keys_are_those_of_clone_heros_default_color_profile():
    """Every key of the game's DefaultColors.ini (its profile editor lists the same), by
    section: 48 guitar, 54 drums, 31 six-fret and 24 other colors."""
    assert {section: len(keys) for section, keys in KEYS.items()} == {
        "guitar": 48, "drums": 54, "sixfret": 31, "other": 24}
    assert {"note_anim_sp_phrase_active", "striker_head_light_open", "sustain_open"} <= KEYS[
        "guitar"]
    assert {"note_overlay_kick_sp_phrase", "tom_anim_sp_phrase", "drums_striker_head_light_kick",
            "cym_green"} <= KEYS["drums"]
    assert {"sf_note_hopo", "sf_note_tap_open", "sf_striker_base_white_mid"} <= KEYS["sixfret"]
    assert {"striker_hit_flame_kick", "sp_bar_elec", "general_sp_active"} <= KEYS["other"]


def test_a_bad_color_is_rejected_with_its_line_and_key():
    text = reason("color", "bad.ini", b"[guitar]\nnote_green = #00FF00\nnote_red = #GG0000\n")
    assert "line 3: note_red = #GG0000 is not a #RRGGBB color" in text


def test_unknown_sections_and_keys_are_reported_as_warnings():
    data = PROFILE + b"[bass]\nnote_green = #00FF00\n[guitar]\nhopo_red = #123456\n"
    checked = check("color", "extra.ini", data)
    assert any("unknown section [bass]" in w for w in checked.warnings)
    assert any("unknown key hopo_red in [guitar]" in w for w in checked.warnings)
    assert ("guitar", "hopo_red", "#123456") not in checked.colors


def test_a_profile_without_any_known_color_is_rejected():
    assert "no color in a [guitar]" in reason("color", "empty.ini", b"[bass]\nx = #000000\n")
    assert "expected [section]" in reason("color", "loose.ini", b"note_green = #00FF00\n")
    assert "not UTF-8" in reason("color", "binary.ini", b"\xff\xfe\x00[")


def test_file_names_lose_folders_and_unsafe_characters():
    assert safe_filename("C:\\Users\\me\\My Stage!.PNG") == "My Stage.png"
    assert safe_filename("../../etc/passwd") == "passwd"
    assert safe_filename("...") == "custom"


def test_each_file_goes_where_clone_hero_reads_it_in_its_custom_folder():
    """Clone Hero 1.0/1.1 reads Custom/Image Backgrounds and Custom/Video Backgrounds,
    Custom/Highways (images), Custom/Video Highways/<name>/highway.webm and Custom/Colors."""
    assert custom_path("background", "Stage.png") == "Image Backgrounds/Stage.png"
    assert custom_path("background", "loop.ogv") == "Video Backgrounds/loop.ogv"
    assert custom_path("background", "loop.mp4") == "Video Backgrounds/loop.mp4"
    assert custom_path("highway", "road.jpg") == "Highways/road.jpg"
    assert custom_path("highway", "road.webm") == "Video Highways/road/highway.webm"
    assert custom_path("color", "neon.ini") == "Colors/neon.ini"
    assert custom_path("highway", "road.webm", "1a2b3c4d") == (
        "Video Highways/road-1a2b3c4d/highway.webm")


def test_a_video_highway_must_be_webm():
    assert "must be one of" in reason("highway", "road.ogv", OGV)
    assert "must be one of" in reason("highway", "road.mp4", MP4)
