"""Test modules are collected by their file name alone (the tiers are not packages), so a name
used in two tiers stops the whole run at collection."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_every_test_file_name_is_used_in_one_tier_only():
    names = Counter(path.name for tier in ("unit", "integration", "e2e")
                    for path in (TESTS / tier).glob("test_*.py"))
    assert [name for name, count in names.items() if count > 1] == []
