"""Rules for passwords people choose: long enough, not common, not their own address."""

from __future__ import annotations

from pb.domain.errors import N_, UserError

MIN_LENGTH = 10
MAX_LENGTH = 200

# The most common passwords from public breach lists that reach ten characters; a full list
# belongs in a service, this catches the ones people actually try first.
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
    if lowered in COMMON or len(set(lowered)) < 4:
        raise PasswordError(N_("That password is too easy to guess; choose a less common one."))
    local = email.split("@", 1)[0].lower()
    if len(local) >= 4 and local in lowered:
        raise PasswordError(N_("Do not use your email address in your password."))
