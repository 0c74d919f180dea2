"""The gateway's start-up objects (modules, routes, models, pools) are kept out of the garbage
collector's full passes, which would otherwise pause every request in flight."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def test_what_the_gateway_made_at_start_is_out_of_the_collectors_sight(database_url,
                                                                      broker_url):
    code = (
        "import gc\n"
        "from litestar.testing import TestClient\n"
        "from services.gateway.app import create_app\n"
        "from services.gateway.settings import GatewayServiceSettings\n"
        f"settings = GatewayServiceSettings(database_url={database_url!r}, "
        f"broker_url={broker_url!r}, search_url='http://127.0.0.1:9')\n"
        "before = gc.get_freeze_count()\n"
        "with TestClient(create_app(settings)):\n"
        "    print(before, gc.get_freeze_count())\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, timeout=120)
    before, after = map(int, result.stdout.split())
    assert before == 0 and after > 100_000
