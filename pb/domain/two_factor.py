"""Rules of two-factor login: who must use it, what a code looks like, when one is accepted.

Codes come from an authenticator app (TOTP, RFC 6238: six digits, a new one every 30 seconds)
or from the list of recovery codes shown once at enrolment. Everything here takes values and
returns values; the services keep the secret, the last accepted time step and the hashes.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from dataclasses import dataclass

import pyotp

from pb.domain.roles import ADMIN, OFFICER

# Staff roles that PB_REQUIRE_TWO_FACTOR applies to.
STAFF = frozenset({OFFICER, ADMIN})
RECOVERY_CODE_COUNT = 10
# A recovery code is 16 characters of base32 (80 random bits), shown in groups of four.
RECOVERY_CODE_LENGTH = 16
STEP_SECONDS = 30
# Codes from one step either side of now are accepted: phones' clocks drift.
DRIFT_STEPS = 1
DIGITS = 6


def required_for(role_names: Iterable[str], required: bool) -> bool:
    """Tell whether someone holding `role_names` must use two-factor login when the site's
    setting is `required`."""
    return required and bool(STAFF.intersection(role_names))


def normalise(code: str) -> str:
    """Return a typed code without spaces or dashes, lower-cased (as recovery codes are
    stored); people copy codes with the spaces their app shows."""
    return "".join(ch for ch in code.lower() if ch not in " -\t")


def is_totp_shape(code: str) -> bool:
    """Tell whether a normalised code looks like an authenticator app's (six digits)."""
    return len(code) == DIGITS and code.isdigit()


def format_recovery_code(raw: str) -> str:
    """Return a recovery code as people read it: groups of four, lower case."""
    raw = normalise(raw)
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def recovery_hash(code: str) -> str:
    """Return how a recovery code is stored. A plain SHA-256 is enough: the codes are 80
    random bits, not chosen by people, so no dictionary helps, and checking stays fast."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()


@dataclass(frozen=True)
class CodeCheck:
    """The result of checking an authenticator code: the time step it matched (to store, so it
    is not accepted again), or None; `reused` when it matched a step already used."""

    step: int | None
    reused: bool = False


def check_totp(secret: str, code: str, now: float, last_step: int | None) -> CodeCheck:
    """Check a six-digit `code` against `secret` at time `now` (seconds since the epoch),
    refusing any code of a step at or before `last_step` (the last one accepted)."""
    code = normalise(code)
    if not is_totp_shape(code):
        return CodeCheck(None)
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(now) // STEP_SECONDS
    reused = False
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            if last_step is not None and step <= last_step:
                reused = True
                continue
            return CodeCheck(step)
    return CodeCheck(None, reused)


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """Return the otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=account, issuer_name=issuer)


def format_secret(secret: str) -> str:
    """Return the secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
