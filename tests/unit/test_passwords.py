"""Passwords too easy to guess are refused: zxcvbn's common-password list and its variations,
words about the user or the hub, repeats; a passphrase of unrelated words passes."""

from __future__ import annotations

import pytest

from services.gateway.users import weak_password

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("password", ["password1", "iloveyou2", "Password123!", "qwertyuiop",
                                      "P@ssw0rd2024", "dragon123456", "alice-2024",
                                      "clonehero2024", "zzzzzzzzzzzz"])
def test_a_common_or_guessable_password_is_refused_with_the_reason(password: str) -> None:
    problem = weak_password(password, "alice")
    assert problem is not None and problem.startswith("that password is too easy to guess")


def test_a_common_password_is_called_one() -> None:
    assert "common password" in weak_password("letmein1", "alice")


@pytest.mark.parametrize("password", ["correct horse battery", "rock and roll all nite",
                                      "Tr0ub4dor&3-lantern", "9f86d081884c7d65"])
def test_a_hard_to_guess_password_passes(password: str) -> None:
    assert weak_password(password, "alice") is None


def test_a_password_longer_than_the_rated_part_is_rated_by_its_start() -> None:
    assert weak_password("password" * 20, "alice") is not None
    assert weak_password("correct horse battery " * 10, "alice") is None
