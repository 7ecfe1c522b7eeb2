"""The password policy: long enough, and not among the passwords people pick most."""

from __future__ import annotations

import pytest

from rollout.auth.accounts import AccountError, common_passwords, hash_password, password_weakness

from conftest import WORLD_PASSWORD


def test_the_common_passwords_ship_with_the_product() -> None:
    passwords = common_passwords()
    assert len(passwords) > 19_000  # Django's 20,000, deduplicated, and the French list
    assert {"password", "123456", "azerty", "motdepasse", "soleil", "bonjour", "marseille"} <= passwords


def test_common_passwords_are_refused_whatever_their_case() -> None:
    assert password_weakness(" MotDePasse123 ") == "password_too_common"
    assert password_weakness("Marseille2024") == "password_too_common"
    assert password_weakness(WORLD_PASSWORD) is None
    with pytest.raises(AccountError, match="most common"):
        hash_password("Bonjour123456")
