"""Rules for passwords people choose: long enough, not common, not their own address.

No rules on composition (capitals, digits, symbols): length and not being on the lists of
passwords people actually choose matter more (NIST 800-63B, ASVS 6.2.4 and 6.2.5).
"""

from __future__ import annotations

from functools import cache

from pb.domain.errors import N_, UserError

MIN_LENGTH = 10
MAX_LENGTH = 200

# Words about this very site, which a guesser tries first (ASVS 6.2.11).
CONTEXT_WORDS = ("participatory", "budgeting", "citizenscouncil", "pbpassword")
# The most common passwords from public breach lists that reach ten characters, beyond
# zxcvbn's list below.
COMMON = frozenset({
    "1234567890", "12345678910", "0123456789", "1q2w3e4r5t", "1qaz2wsx3edc", "qwertyuiop",
    "password1", "password12", "password123", "passw0rd123", "iloveyou12", "qwerty1234",
    "qwerty12345", "abcdefghij", "abc1234567", "football12", "letmein123", "welcome123",
    "changeme123", "administrator", "1111111111", "0000000000", "aaaaaaaaaa", "1234512345",
    "9876543210", "asdfghjkl1", "zxcvbnm123", "superman12", "trustno1234", "princess12",
    "sunshine12",
})


class PasswordError(UserError):
    """A password that should not be used, and why."""

    field = "password"


def check_password(password: str, email: str = "") -> None:
    """Reject passwords that are short, overlong, common, or built from the email address."""
    if len(password) < MIN_LENGTH:
        raise PasswordError(N_("Use a password of at least %(n)d characters; a short phrase "
                               "of a few words is easy to remember."), n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        raise PasswordError(N_("Use a password of at most %(n)d characters."), n=MAX_LENGTH)
    lowered = password.lower()
    squeezed = "".join(lowered.split())
    if (lowered in COMMON or lowered in _most_common() or len(set(lowered)) < 4
            or any(word in squeezed for word in CONTEXT_WORDS)):
        raise PasswordError(N_("That password is too easy to guess; choose a less common one."))
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in lowered:
        raise PasswordError(N_("Do not use your email address in your password."))


@cache
def _most_common() -> frozenset[str]:
    """The 30,000 most common passwords of public breaches, as zxcvbn ranks them (loaded on
    first use: the list is big, and only registering and changing a password need it)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS  # noqa: PLC0415

    return frozenset(word for word in FREQUENCY_LISTS["passwords"] if len(word) >= MIN_LENGTH)
