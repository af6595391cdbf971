"""Password rules."""

import pytest

from pb.domain.passwords import PasswordError, check_password


@pytest.mark.parametrize(("password", "words"), [
    ("short", "at least 10"),
    ("x" * 201, "at most 200"),
    ("password123", "too easy"),
    ("aaaaaaaaaaaa", "too easy"),
    ("maria.lopez-2026!", "email address"),
    ("1qaz2wsx3edc4rfv", "too easy"),          # from zxcvbn's 30,000 most common passwords
    ("Participatory Budget 2027", "too easy"),  # a word about the site itself
])
def test_weak_passwords_are_refused_with_a_reason(password: str, words: str) -> None:
    with pytest.raises(PasswordError, match=words):
        check_password(password, "maria.lopez@example.org")


def test_a_passphrase_is_accepted() -> None:
    check_password("correct horse battery", "maria.lopez@example.org")


def test_the_common_list_is_zxcvbns_and_long_passwords_are_welcome() -> None:
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    common = [w for w in FREQUENCY_LISTS["passwords"] if len(w) >= 10]
    assert len(common) > 1000
    for word in common[:300]:
        with pytest.raises(PasswordError, match="too easy"):
            check_password(word)
    check_password("a sentence of sixty-four characters that nobody else would pick!")
    check_password("correct horse battery " * 9)    # 198 characters (ASVS 6.2.9: 64 or more)
