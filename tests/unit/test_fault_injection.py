"""The crash tests' fault: named by the environment for one queue, outside the product's
settings, and it kills its process once."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shared.fault_injection import CRASH_BEFORE_PUBLISH, crash_before_publish
from shared.settings import BrokerSettings

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def test_no_fault_is_armed_unless_the_environment_names_the_queue(tmp_path):
    named = {CRASH_BEFORE_PUBLISH: f"catalog.catalog@{tmp_path / 'crashed'}"}
    assert crash_before_publish("catalog.catalog", {}) is None
    assert crash_before_publish("sync.publish", named) is None
    without_marker = {CRASH_BEFORE_PUBLISH: "catalog.catalog"}
    assert crash_before_publish("catalog.catalog", without_marker) is None
    assert callable(crash_before_publish("catalog.catalog", named))


def test_the_fault_kills_its_process_once_and_leaves_a_marker(tmp_path):
    marker = tmp_path / "crashed"
    script = ("from shared.fault_injection import crash_before_publish; "
              "crash_before_publish('ingest.extract')(); print('survived')")
    env = {CRASH_BEFORE_PUBLISH: f"ingest.extract@{marker}", "PYTHONPATH": str(ROOT)}
    first = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                           text=True, check=False)
    assert first.returncode == 137 and marker.exists()
    second = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True,
                            text=True, check=False)
    assert second.returncode == 0 and second.stdout.strip() == "survived"


def test_the_products_settings_know_no_fault():
    assert not [name for name in BrokerSettings.model_fields if "crash" in name]
