"""Two-factor login: enrol an authenticator app, check codes, recovery codes, turn it off.

A user enrols by scanning a QR code (or typing the secret) and confirming with a first valid
code; that turns it on and returns ten recovery codes, shown once and kept only as hashes.
From then on, logging in asks for a code after the password. Each check of a code is its own
unit of work, so an accepted code's time step (or a recovery code's use) is stored before the
session starts, and a refused one changes nothing.
"""

from __future__ import annotations

import secrets
import time
from datetime import UTC, datetime

import pyotp
import sqlalchemy as sa
from flask import current_app

from pb.domain import two_factor as rules
from pb.domain.errors import N_
from pb.extensions import db
from pb.models import RecoveryCode, User
from pb.services import (
    ServiceError,
    accounts,
    audit,
    login_sessions,
    security_log,
    unit_of_work,
)

_WRONG = N_("That code is not right. Type the six digits your authenticator app shows now, "
            "or one of your recovery codes.")
_REUSED = N_("That code has already been used. Wait for your app to show a new one, then type "
             "it.")


def required(user: User) -> bool:
    """Tell whether the site makes `user` use two-factor login (PB_REQUIRE_TWO_FACTOR)."""
    return rules.required_for(user.role_names, current_app.config["PB_REQUIRE_TWO_FACTOR"])


def needs_enrolment(user: User) -> bool:
    """Tell whether `user` must enrol before using the site's pages."""
    return required(user) and not user.two_factor_enabled


def do_start_enrolment(user: User) -> str:
    """Give `user` a new secret to put in their app (kept until they confirm it) and return it.

    An enrolment already started keeps its secret, so reloading the page does not invalidate
    a QR code the person has just scanned.
    """
    if user.two_factor_enabled:
        raise ServiceError(N_("Two-factor login is already on for your account."))
    if user.totp_secret is None:
        with unit_of_work():
            user.totp_secret = pyotp.random_base32()  # 32 characters: 160 bits
    return user.totp_secret


def enrolment_uri(user: User) -> str:
    """Return the otpauth:// address of `user`'s pending secret, for the QR code."""
    issuer = current_app.config.get("PB_BASE_URL", "").split("://")[-1] or "pb"
    return rules.provisioning_uri(user.totp_secret or "", user.email, issuer)


def do_confirm_enrolment(user: User, code: str) -> list[str]:
    """Turn two-factor login on once `code` proves the app has the secret, ending the
    account's other sessions; return the new recovery codes (shown once)."""
    with unit_of_work():
        if user.two_factor_enabled or user.totp_secret is None:
            raise ServiceError(N_("Start again: open the page to turn on two-factor login."))
        result = rules.check_totp(user.totp_secret, code, time.time(), None)
        if result.step is None:
            raise ServiceError(N_("That code is not right. Check that your phone sets its "
                                  "clock automatically, then type the six digits the app "
                                  "shows now."), field="code")
        user.totp_last_step = result.step
        user.two_factor_enabled_at = datetime.now(UTC)
        codes = _replace_recovery_codes(user)
        # Sessions that logged in with the password alone end; the caller renews its own.
        accounts.end_sessions(user)
        audit.record(user, "user.two_factor_enabled", "user", user.id)
    security_log.event("two_factor.enrolled", account=user.id)
    return codes


def _replace_recovery_codes(user: User) -> list[str]:
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    codes = [rules.format_recovery_code("".join(secrets.choice(alphabet) for _ in
                                                range(rules.RECOVERY_CODE_LENGTH)))
             for _ in range(rules.RECOVERY_CODE_COUNT)]
    user.recovery_codes = [RecoveryCode(code_hash=rules.recovery_hash(c)) for c in codes]
    return codes


def do_verify(user: User, code: str, purpose: str = "login") -> str:
    """Accept `code` (from the app, or a recovery code) as `user`'s second factor and return
    which it was ("totp" or "recovery"); or refuse it with a sentence, changing nothing.

    An accepted app code's time step is stored, so the same code is refused until the app
    shows the next one; a recovery code is marked used.
    """
    if not user.two_factor_enabled or user.totp_secret is None:
        raise ServiceError(N_("Two-factor login is not on for your account."))
    typed = rules.normalise(code)
    with unit_of_work():
        if rules.is_totp_shape(typed):
            result = rules.check_totp(user.totp_secret, typed, time.time(), user.totp_last_step)
            # A conditional update, so two requests racing with one code cannot both win.
            if result.step is not None and _claim_step(user, result.step):
                return "totp"
            reused = result.reused or result.step is not None  # or lost the race above
            reason, message = ("reused", _REUSED) if reused else ("wrong", _WRONG)
        else:
            found = db.session.scalar(sa.select(RecoveryCode).where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == rules.recovery_hash(typed)))
            if found is not None and found.used_at is None and _claim_code(found):
                reason = ""
            else:
                reason, message = ("recovery_used", N_(
                    "That recovery code has already been used. Each one works once: use "
                    "another, or a code from your app.")) if found else ("wrong", _WRONG)
    if not reason:
        security_log.event("two_factor.recovery_used", account=user.id,
                           left=recovery_codes_left(user), purpose=purpose)
        return "recovery"
    security_log.event("two_factor.failed", account=user.id, reason=reason, purpose=purpose)
    raise ServiceError(message, field="code")


def _claim_step(user: User, step: int) -> bool:
    claimed = db.session.execute(sa.update(User).where(
        User.id == user.id,
        sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step),
    ).values(totp_last_step=step).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(user, ["totp_last_step"])
    return claimed == 1


def _claim_code(code: RecoveryCode) -> bool:
    claimed = db.session.execute(sa.update(RecoveryCode).where(
        RecoveryCode.id == code.id, RecoveryCode.used_at.is_(None),
    ).values(used_at=datetime.now(UTC)).execution_options(synchronize_session=False)).rowcount
    db.session.refresh(code, ["used_at"])
    return claimed == 1


def recovery_codes_left(user: User) -> int:
    """Return how many of `user`'s recovery codes are still unused."""
    return sum(1 for c in user.recovery_codes if c.used_at is None)


def do_regenerate_recovery_codes(user: User, code: str) -> list[str]:
    """Replace `user`'s recovery codes (the old ones stop working) after a current code."""
    with unit_of_work():
        do_verify(user, code, purpose="recovery_codes")
        codes = _replace_recovery_codes(user)
        audit.record(user, "user.recovery_codes_replaced", "user", user.id)
    return codes


def check_may_disable(user: User) -> None:
    """Refuse to turn two-factor login off where the site requires it for the user's roles."""
    if not user.two_factor_enabled:
        raise ServiceError(N_("Two-factor login is not on for your account."))
    if required(user):
        raise ServiceError(N_("This site requires two-factor login for your role, so it "
                              "stays on. If you lost your phone, use a recovery code, or ask "
                              "an administrator to reset it."))


def check_proof(user: User, code_or_password: str, purpose: str) -> str:
    """Accept `user`'s password, or (with two-factor login on) a current code or a recovery
    code, as proof before a sensitive change; return which it was ("password", "totp" or
    "recovery"), or refuse with a sentence. A code accepted here is used up."""
    if accounts.password_matches(user, code_or_password):
        return "password"
    if user.two_factor_enabled:
        try:
            return do_verify(user, code_or_password, purpose=purpose)
        except ServiceError:
            pass
        security_log.event("reauth.failed", account=user.id, purpose=purpose)
        raise ServiceError(N_("That is neither your password nor a current code. Type one "
                              "of them."), field="proof")
    security_log.event("reauth.failed", account=user.id, purpose=purpose)
    raise ServiceError(N_("That is not your password. Type the password you log in with."),
                       field="proof")


def do_disable(user: User, code_or_password: str, end_others: bool = False) -> None:
    """Turn two-factor login off after a current code, a recovery code or the password; with
    `end_others`, end the account's other sessions too (this one goes on)."""
    check_may_disable(user)
    try:
        how = check_proof(user, code_or_password, purpose="disable")
    except ServiceError:
        raise ServiceError(N_("That is neither your password nor a current code. Type "
                              "one of them to turn two-factor login off."),
                           field="code") from None
    with unit_of_work():
        _clear(user)
        if end_others:
            login_sessions.end_all(user, "two_factor", keep=user.session_token)
        audit.record(user, "user.two_factor_disabled", "user", user.id)
    security_log.event("two_factor.disabled", account=user.id, by="user", proof=how)


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    user.two_factor_enabled_at = None
    user.recovery_codes = []


def do_reset(email: str) -> User:
    """Turn off `email`'s two-factor login and end their sessions (someone lost their phone).

    For operators on the server (`pb users reset-two-factor`): the person logs in with their
    password next, and enrols again (at once, where the site requires it for their role).
    """
    user = accounts.find_by_email(email)
    if user is None:
        raise ServiceError(N_("No account uses that email address."))
    with unit_of_work():
        _clear(user)
        accounts.end_sessions(user)
        audit.record(None, "user.two_factor_reset", "user", user.id)
    security_log.event("two_factor.disabled", account=user.id, by="operator")
    return user
