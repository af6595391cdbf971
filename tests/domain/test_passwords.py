"""Password rules."""

import pytest

from pb.domain.passwords import PasswordError, check_password


@pytest.mark.parametrize(("password", "words"), [
    ("short", "at least 10"),
    ("x" * 201, "at most 200"),
    ("password123", "too easy"),
    ("aaaaaaaaaaaa", "too easy"),
    ("maria.lopez-2026!", "email address"),
])
def test_weak_passwords_are_refused_with_a_reason(password: str, words: str) -> None:
    with pytest.raises(PasswordError, match=words):
        check_password(password, "maria.lopez@example.org")


def test_a_passphrase_is_accepted() -> None:
    check_password("correct horse battery", "maria.lopez@example.org")
