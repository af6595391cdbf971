"""The rules of two-factor login, as values: who must use it, codes and their time steps."""

from __future__ import annotations

import pyotp
import pytest

from pb.domain import two_factor as rules

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
NOW = 1_800_000_015.0  # 15 s into time step 60,000,000
STEP = 60_000_000


def code(step: int) -> str:
    return pyotp.TOTP(SECRET).at(step * 30)


@pytest.mark.parametrize(("roles", "required", "expected"), [
    ({"resident", "officer"}, True, True),
    ({"resident", "admin"}, True, True),
    ({"resident", "facilitator", "council"}, True, False),
    ({"resident", "officer"}, False, False),
])
def test_who_must_use_it(roles: set[str], required: bool, expected: bool) -> None:
    assert rules.required_for(roles, required) is expected


def test_a_code_matches_its_step_or_one_either_side() -> None:
    assert rules.check_totp(SECRET, code(STEP), NOW, None) == rules.CodeCheck(STEP)
    assert rules.check_totp(SECRET, code(STEP - 1), NOW, None).step == STEP - 1
    assert rules.check_totp(SECRET, code(STEP + 1)[:3] + " " + code(STEP + 1)[3:], NOW,
                            None).step == STEP + 1
    assert rules.check_totp(SECRET, code(STEP + 2), NOW, None) == rules.CodeCheck(None)
    assert rules.check_totp(SECRET, "12345", NOW, None) == rules.CodeCheck(None)


def test_a_step_at_or_before_the_last_accepted_one_is_reused() -> None:
    assert rules.check_totp(SECRET, code(STEP), NOW, STEP) == rules.CodeCheck(None, reused=True)
    assert rules.check_totp(SECRET, code(STEP - 1), NOW, STEP).reused
    assert rules.check_totp(SECRET, code(STEP + 1), NOW, STEP) == rules.CodeCheck(STEP + 1)


def test_recovery_codes_are_compared_however_they_are_typed() -> None:
    raw = "abcdefghijklmnop"
    assert rules.format_recovery_code(raw) == "abcd-efgh-ijkl-mnop"
    assert rules.recovery_hash("ABCD EFGH-ijkl mnop") == rules.recovery_hash(raw)
    assert rules.recovery_hash(raw) != rules.recovery_hash("abcdefghijklmnoq")
    assert rules.format_secret("ABCDEFGH") == "ABCD EFGH"
