"""Clone Hero's custom content (backgrounds, color profiles, highways): what each kind accepts,
where it goes on a rig, and the check of an uploaded file. Bytes in, a frozen result out."""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass

from shared.custom_colors import ColorProfileError, read_color_profile

# Where Clone Hero (1.0 and 1.1) looks inside its Custom folder, the content folder's `custom/`
# (its GlobalVariables: `Image Backgrounds` and `Highways` for .png/.jpg/.jpeg, `Video
# Backgrounds` for videos, `Video Highways/<name>/highway.webm` beside an optional config.ini,
# `Colors/<name>.ini`); it lists what it finds there in its settings.
IMAGE_FOLDERS = {"background": "Image Backgrounds", "highway": "Highways"}
VIDEO_FOLDERS = {"background": "Video Backgrounds", "highway": "Video Highways"}
COLORS_FOLDER = "Colors"
VIDEO_HIGHWAY_FILE = "highway.webm"
FOLDERS = {**{kind: (IMAGE_FOLDERS[kind], VIDEO_FOLDERS[kind]) for kind in IMAGE_FOLDERS},
           "color": (COLORS_FOLDER,)}
IMAGES = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG"}
VIDEOS = ("webm", "ogv")
# A video highway is played from a file named highway.webm, so WebM only.
ACCEPTED = {"background": (*IMAGES, *VIDEOS, "mp4"), "highway": (*IMAGES, "webm"),
            "color": ("ini",)}
MP4_WARNING = ("Clone Hero on Linux plays only .webm and .ogv videos; this .mp4 plays on "
               "Windows and macOS rigs only.")
MIN_SIDE, MAX_SIDE = 16, 8192
_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()+-]+")


class InvalidCustomContent(ValueError):
    """The file cannot be used as this kind of custom content; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CheckedContent:
    """A file that Clone Hero can use, with what the library shows about it."""

    kind: str
    filename: str
    media: str  # image, video or colors
    width: int | None = None
    height: int | None = None
    colors: tuple[tuple[str, str, str], ...] = ()  # (section, key, #RRGGBB)
    warnings: tuple[str, ...] = ()


def safe_filename(filename: str) -> str:
    """The file's own name, without folders, in characters every file system accepts."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    stem, dot, extension = name.rpartition(".")
    extension = _UNSAFE.sub("", extension).lower() if dot else ""
    stem = _UNSAFE.sub("_", stem if dot else name).strip(" ._") or "custom"
    return f"{stem[:100]}.{extension}" if extension else stem[:100]


def extension_of(filename: str) -> str:
    return filename.rpartition(".")[2].lower() if "." in filename else ""


def custom_path(kind: str, filename: str, tag: str = "") -> str:
    """Where Clone Hero reads a checked file, relative to its Custom folder; `tag` keeps two
    items of the same name apart."""
    stem, _, extension = filename.rpartition(".")
    name = f"{stem}-{tag}" if tag else stem
    if kind == "color":
        return f"{COLORS_FOLDER}/{name}.{extension}"
    if extension in IMAGES:
        return f"{IMAGE_FOLDERS[kind]}/{name}.{extension}"
    if kind == "highway":
        return f"{VIDEO_FOLDERS[kind]}/{name}/{VIDEO_HIGHWAY_FILE}"
    return f"{VIDEO_FOLDERS[kind]}/{name}.{extension}"


def check(kind: str, filename: str, data: bytes) -> CheckedContent:
    """What `data`, uploaded as `filename` for `kind`, is; InvalidCustomContent when unusable."""
    if kind not in FOLDERS:
        raise InvalidCustomContent(f"Unknown kind of custom content: {kind}.")
    name = safe_filename(filename)
    extension = extension_of(name)
    if extension not in ACCEPTED[kind]:
        allowed = ", ".join(f".{e}" for e in ACCEPTED[kind])
        raise InvalidCustomContent(f"A {kind} must be one of {allowed}, not {name}.")
    if not data:
        raise InvalidCustomContent(f"{name} is empty.")
    if extension in IMAGES:
        width, height = _image_size(name, extension, data)
        return CheckedContent(kind, name, "image", width, height)
    if extension == "ini":
        return _color_profile(name, data)
    _check_video(name, extension, data)
    notes = (MP4_WARNING,) if extension == "mp4" else ()
    return CheckedContent(kind, name, "video", warnings=notes)


def _image_size(name: str, extension: str, data: bytes) -> tuple[int, int]:
    from PIL import Image  # loaded by the first image checked, not by every process at start

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                found, (width, height) = image.format, image.size
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidCustomContent(f"{name} has too many pixels.") from None
    except Exception:
        raise InvalidCustomContent(f"{name} is not a readable image.") from None
    if found != IMAGES[extension]:
        raise InvalidCustomContent(f"{name} is named .{extension} but holds a {found} image.")
    if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
        raise InvalidCustomContent(f"{name} is {width} by {height} pixels; each side must be "
                                   f"{MIN_SIDE} to {MAX_SIDE} pixels.")
    return width, height


def _check_video(name: str, extension: str, data: bytes) -> None:
    head = data[:4096]
    if extension == "webm":
        valid = head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]
        expected = "a WebM (EBML) video"
    elif extension == "ogv":
        valid = head.startswith(b"OggS") and b"\x80theora" in head
        expected = "an Ogg Theora video"
    else:
        valid = head[4:8] == b"ftyp"
        expected = "an MP4 video"
    if not valid:
        raise InvalidCustomContent(f"{name} is not {expected}.")


def _color_profile(name: str, data: bytes) -> CheckedContent:
    try:
        profile = read_color_profile(data)
    except ColorProfileError as error:
        raise InvalidCustomContent(f"{name}: {error}") from None
    return CheckedContent("color", name, "colors", colors=profile.colors,
                          warnings=profile.warnings)
