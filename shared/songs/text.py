"""Text helpers shared by the readers: decoding song text and formatting like JavaScript."""

from __future__ import annotations

import math
import re

_STYLE_TAGS = (
    "align", "allcaps", "alpha", "b", "br", "color", "cspace", "font", "font-weight", "gradient",
    "i", "indent", "line-height", "line-indent", "link", "lowercase", "margin", "mark", "mspace",
    "nobr", "noparse", "page", "pos", "rotate", "s", "size", "smallcaps", "space", "sprite",
    "strikethrough", "style", "sub", "sup", "u", "uppercase", "voffset", "width",
)
_STYLE_TAG = re.compile(
    r"<\s*/?\s*(?:#|" + "|".join(rf"\b{re.escape(t)}\b" for t in _STYLE_TAGS) + r")[^>]*>",
    re.IGNORECASE,
)
_JS_FLOAT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_JS_WHITESPACE = (" \t\n\r\v\f\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
                  "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")


def decode_text(data: bytes) -> str:
    """Decode song text: UTF-16 with a BOM, UTF-8 with or without BOM, else Latin-1."""
    if data[:2] == b"\xff\xfe":
        return data[2:].decode("utf-16-le", "replace")
    if data[:2] == b"\xfe\xff":
        return data[2:].decode("utf-16-be", "replace")
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def js_trim(text: str) -> str:
    """String.prototype.trim: strips JavaScript whitespace, including the BOM."""
    return text.strip(_JS_WHITESPACE)


def strip_style_tags(text: str) -> str:
    """Remove Clone Hero rich-text tags such as `<color=#FF0000>` (scan-chart's removeStyleTags)."""
    old = None
    while old != text:
        old = text
        text = js_trim(_STYLE_TAG.sub("", text))
    return text


def js_parse_float(text: str | None) -> float:
    """JavaScript parseFloat: the longest leading number, NaN when there is none."""
    if text is None:
        return math.nan
    text = text.lstrip(_JS_WHITESPACE)
    if text.startswith(("Infinity", "+Infinity")):
        return math.inf
    if text.startswith("-Infinity"):
        return -math.inf
    match = _JS_FLOAT.match(text)
    return float(match.group()) if match else math.nan


def js_round(value: float) -> float:
    """Math.round: halves round up."""
    return value if math.isinf(value) else float(math.floor(value + 0.5))


def js_number(value: float) -> int | float:
    """A float as JSON should carry it: integral values as int, like JavaScript prints them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def js_str(value: float | int) -> str:
    """String(number) exactly as JavaScript writes it (shortest round-trip digits)."""
    if isinstance(value, bool) or not isinstance(value, float):
        value = float(value)
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    if 1e-4 <= abs(value) < 1e16:
        return repr(value)  # plain decimal notation, the same shortest digits as JavaScript
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "0"
    sign = "-" if value < 0 else ""
    digits = repr(abs(value))
    if "e" in digits:
        mantissa, _, exp_text = digits.partition("e")
    else:
        mantissa, exp_text = digits, "0"
    whole, _, fraction = mantissa.partition(".")
    stripped = (whole + fraction).lstrip("0")
    point = len(whole) + int(exp_text) - (len(whole + fraction) - len(stripped))
    all_digits = stripped.rstrip("0") or "0"
    return sign + _js_layout(all_digits, point)


def _js_layout(digits: str, point: int) -> str:
    """Place the decimal point `point` digits into `digits` using JavaScript's rules."""
    count = len(digits)
    if count <= point <= 21:
        return digits + "0" * (point - count)
    if 0 < point <= 21:
        return digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return "0." + "0" * -point + digits
    exponent = point - 1
    mantissa = digits[0] + ("." + digits[1:] if count > 1 else "")
    return f"{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"


def _shift(value: float, places: int) -> float:
    """value * 10**places through its decimal text, as lodash does to avoid float error."""
    mantissa, _, exponent = js_str(value).partition("e")
    return float(f"{mantissa}e{int(exponent or 0) + places}")


def lodash_round(value: float, precision: int = 0) -> float:
    """lodash `_.round`: shift by decimal exponent through the number's text, round half up."""
    if not math.isfinite(value):
        return value
    return _shift(js_round(_shift(value, precision)), -precision)


def lodash_floor(value: float, precision: int = 0) -> float:
    """lodash `_.floor` with a decimal precision."""
    if not math.isfinite(value):
        return value
    return _shift(float(math.floor(_shift(value, precision))), -precision)


def truncate(text: str, length: int = 200) -> str:
    """lodash truncate with the default `...` omission."""
    return text if len(text) <= length else text[: length - 3] + "..."


_JS_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_JS_RADIX = {"0x": 16, "0o": 8, "0b": 2}


def js_number_parse(text: str | None) -> float:
    """JavaScript Number(string): the whole trimmed text must be a number; '' is 0."""
    if text is None:
        return math.nan
    text = js_trim(text)
    if not text:
        return 0.0
    if text in ("Infinity", "+Infinity", "-Infinity"):
        return -math.inf if text[0] == "-" else math.inf
    radix = _JS_RADIX.get(text[:2].lower())
    if radix:
        try:
            return float(int(text[2:], radix))
        except ValueError:
            return math.nan
    return float(text) if _JS_NUMBER.fullmatch(text) else math.nan
