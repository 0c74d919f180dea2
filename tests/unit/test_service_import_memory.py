"""Each service loads at start only the libraries it uses: a library loaded for a feature the
service never runs (or runs rarely) costs its memory for the whole life of the process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

# The gateway receives archives but never opens them; it rates passwords only when one is set,
# talks to Redis only when sessions are kept there and reads images only when custom content
# arrives.
NOT_IN_GATEWAY = ("py7zr", "rarfile", "libarchive", "zxcvbn", "redis", "PIL")


def loaded_after_import(module: str, candidates: tuple[str, ...]) -> list[str]:
    """Which of `candidates` a fresh interpreter has loaded once `module` is imported."""
    code = (f"import json, sys, {module}\n"
            f"print(json.dumps([m for m in {list(candidates)!r} if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    return json.loads(result.stdout)


def test_the_gateway_does_not_load_archive_password_redis_or_image_libraries():
    assert loaded_after_import("services.gateway.app", NOT_IN_GATEWAY) == []


def test_the_password_rating_still_works_when_first_used():
    from services.gateway.users import weak_password

    assert weak_password("password123", "alice") is not None
    assert weak_password("correct horse battery staple glows", "alice") is None


def test_the_redis_stores_still_load_when_configured():
    from services.gateway.security import stores

    made = stores("redis://127.0.0.1:1/0")
    assert set(made) == {"sessions", "rate_limit"}
    assert type(made["sessions"]).__name__ == "RedisStore"
