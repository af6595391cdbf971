"""Accounts: register, authenticate, change or reset a password, grant and revoke roles, and
start and end sessions.

Every session and remember-me cookie names a session kept at the server and the account's
session generation (`User.get_id`, pb.services.login_sessions): logging out ends that one
session; raising the generation (a reset password, changed roles, "log out everywhere") ends
them all.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from pb.domain import roles
from pb.domain.errors import N_
from pb.domain.passwords import check_password
from pb.extensions import db
from pb.models import User, UserRole
from pb.services import ServiceError, audit, login_sessions, security_log, unit_of_work
from pb.services.mail import send_mail
from pb.services.offload import off_loop

hasher = PasswordHasher()
# Verified when the email is unknown, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = hasher.hash("not a real password, only for timing")
_RESET_SALT = "password-reset"
_EMAIL_TAKEN = N_("An account with this email already exists. Log in, or reset your password "
                  "if you have forgotten it.")


def normalise_email(email: str) -> str:
    """Return the email as it is stored and compared: trimmed and lower-cased."""
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    """Return the user with `email`, if any."""
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def check_registration(email: str, display_name: str, password: str) -> None:
    """Refuse a registration whose email is taken or whose password is weak."""
    if not display_name.strip():
        raise ServiceError(N_("Enter the name other people will see."), field="display_name")
    check_password(password, email)
    if find_by_email(email):
        raise ServiceError(_EMAIL_TAKEN, field="email")


def do_register(email: str, display_name: str, password: str,
                extra_roles: tuple[str, ...] = ()) -> User:
    """Create a resident account (plus `extra_roles`) and commit it."""
    try:
        with unit_of_work():
            check_registration(email, display_name, password)
            user = User(email=normalise_email(email), display_name=display_name.strip(),
                        password_hash=off_loop(hasher.hash, password))
            user.roles = [UserRole(role=r) for r in (roles.RESIDENT, *extra_roles)]
            db.session.add(user)
            db.session.flush()
            audit.record(user, "user.registered", "user", user.id)
    except sa.exc.IntegrityError:  # the same email registered a moment ago
        raise ServiceError(_EMAIL_TAKEN, field="email") from None
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the user if the password matches, upgrading its hash when the policy changed.

    A failure is logged as a security event (with the account when the email has one, never
    the email itself); success is logged by `logged_in`, once any second factor is passed.
    """
    user = find_by_email(email)
    try:
        off_loop(hasher.verify, user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        security_log.event("login.failed", account=user.id if user else None)
        return None
    if user is None:
        return None
    if hasher.check_needs_rehash(user.password_hash):
        with unit_of_work():
            user.password_hash = off_loop(hasher.hash, password)
    return user


def password_matches(user: User, password: str) -> bool:
    """Tell whether `password` is `user`'s password."""
    try:
        return bool(off_loop(hasher.verify, user.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def logged_in(user: User, second_factor: str | None = None) -> None:
    """Log a completed login as a security event."""
    security_log.event("login.succeeded", account=user.id, second_factor=second_factor)


def user_for_session(session_id: str) -> User | None:
    """Return the user whose live session `session_id` ("<account>:<generation>:<token>",
    from `User.get_id`) names, or None (the user loader; see pb.services.login_sessions).

    The older ids, "<account>" and "<account>:<generation>", name no session kept at the
    server and load nobody: after the upgrade that added sessions, everyone logs in once more.
    """
    return login_sessions.load(session_id)


def pending_id(user: User) -> str:
    """Return what a device keeps between the password and the code: "<account>:<generation>"
    (a password change or "log out everywhere" meanwhile voids it)."""
    return f"{user.id}:{user.session_generation}"


def user_for_pending(pending: str) -> User | None:
    """Return the user a `pending_id` names, while their generation is still the same."""
    account, _, generation = pending.partition(":")
    if not (account.isascii() and account.isdigit() and generation.isascii()
            and generation.isdigit()):
        return None
    user = db.session.get(User, int(account))
    if user is None or user.session_generation != int(generation):
        return None
    return user


def start_session(user: User, user_agent: str = "") -> str:
    """Start a session at the server for a login of `user` on the device `user_agent` names;
    `user.get_id()` then carries its token. Return the token."""
    return login_sessions.do_start(user, user_agent)


def end_sessions(user: User, how: str = "everywhere") -> None:
    """End every session of `user`, inside the caller's unit of work: each kept session, and
    (by raising the generation) a login waiting for its code."""
    user.session_generation += 1
    login_sessions.end_all(user, how)


def do_log_out(user: User) -> None:
    """End the session `user` was loaded with in this request (logging out on this device)."""
    login_sessions.do_log_out(user)
    security_log.event("logout", account=user.id)


def do_log_out_everywhere(user: User) -> None:
    """End every session of `user`, on every device, this one included."""
    with unit_of_work():
        end_sessions(user)
        audit.record(user, "user.logged_out_everywhere", "user", user.id)
    security_log.event("logout.everywhere", account=user.id)


def do_change_password(user: User, current: str, new: str, end_others: bool) -> int:
    """Change the password of logged-in `user`, who proves it with the `current` one; with
    `end_others`, end their other sessions (this one goes on). Reset links sent before stop
    working. Return how many other sessions ended."""
    if not password_matches(user, current):
        raise ServiceError(N_("That is not your current password. Type the password you "
                              "log in with now."), field="current")
    with unit_of_work():
        check_password(new, user.email)
        user.password_hash = off_loop(hasher.hash, new)
        ended = login_sessions.end_all(user, "password", keep=user.session_token) \
            if end_others else 0
        audit.record(user, "user.password_changed", "user", user.id)
    security_log.event("password.changed", account=user.id, by="user", others_ended=ended)
    return ended


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_RESET_SALT)


def make_reset_token(user: User) -> str:
    """Return a signed token for `user` that stops working once the password changes."""
    return _serializer().dumps({"u": user.id, "h": user.password_hash[-12:]})


def user_from_reset_token(token: str) -> User:
    """Return the user a reset token was made for, or explain why it cannot be used."""
    max_age = current_app.config["PB_RESET_TOKEN_MAX_AGE"]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise ServiceError(N_("This reset link has expired. Ask for a new one below.")) from None
    except BadSignature:
        raise ServiceError(N_("This reset link is not valid. Check that you copied the whole "
                              "link, or ask for a new one below.")) from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or user.password_hash[-12:] != data.get("h"):
        raise ServiceError(N_("This reset link has already been used. Ask for a new one "
                              "below."))
    return user


def get_user(user_id: int) -> User | None:
    """Return the user with this id, if any."""
    return db.session.get(User, user_id)


def request_password_reset(email: str, link_for: Callable[[str], str]) -> None:
    """Email a reset link if an account uses `email`; say nothing either way."""
    user = find_by_email(email)
    security_log.event("password.reset_requested", account=user.id if user else None)
    if user is None:
        return
    link = link_for(make_reset_token(user))
    minutes = current_app.config["PB_RESET_TOKEN_MAX_AGE"] // 60
    body = _("Hello %(name)s,\n\nSomeone asked to reset the password of your pb account. "
             "To choose a new password, open this link within %(minutes)d minutes:\n\n%(link)s"
             "\n\nIf it was not you, ignore this email; your password stays the same.",
             name=user.display_name, minutes=minutes, link=link)
    send_mail(user.email, _("Reset your pb password"), body)


def do_reset_password(user: User, password: str) -> None:
    """Set a new password, which also voids every reset link sent before and ends every
    session (a cookie from before the change is refused)."""
    with unit_of_work():
        check_password(password, user.email)
        user.password_hash = off_loop(hasher.hash, password)
        end_sessions(user, "password")
        audit.record(user, "user.password_reset", "user", user.id)
    security_log.event("password.changed", account=user.id, by="reset_link")


def do_grant_role(actor: User, user: User, role: str) -> None:
    """Give `user` a role, recording who granted it; their sessions end (they log in again
    with the new role, and meet any second factor it requires)."""
    with unit_of_work():
        if role not in roles.GRANTABLE:
            raise ServiceError(N_("“%(role)s” is not a role that can be granted."), role=role)
        if role in user.role_names:
            raise ServiceError(N_("%(name)s already has this role."), name=user.display_name)
        user.roles.append(UserRole(role=role, granted_by_id=actor.id))
        end_sessions(user)
        audit.record(actor, "user.role_granted", "user", user.id, role=role)
    security_log.event("role.granted", account=user.id, role=role, by=actor.id)


def do_revoke_role(actor: User, user: User, role: str) -> None:
    """Take a role away from `user`, keeping at least one admin; their sessions end."""
    with unit_of_work():
        held = next((r for r in user.roles if r.role == role), None)
        if held is None or role not in roles.GRANTABLE:
            raise ServiceError(N_("%(name)s does not have this role."), name=user.display_name)
        if role == roles.ADMIN and _admin_count() <= 1:
            raise ServiceError(N_("This is the last admin. Make someone else an admin first."))
        user.roles.remove(held)
        end_sessions(user)
        audit.record(actor, "user.role_revoked", "user", user.id, role=role)
    security_log.event("role.revoked", account=user.id, role=role, by=actor.id)


def _admin_count() -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(UserRole).where(UserRole.role == roles.ADMIN))


def do_create_admin(email: str, display_name: str, password: str) -> User:
    """Create an admin account, or make an existing account an admin."""
    user = find_by_email(email)
    if user is None:
        return do_register(email, display_name, password, extra_roles=(roles.ADMIN,))
    if roles.ADMIN not in user.role_names:
        with unit_of_work():
            user.roles.append(UserRole(role=roles.ADMIN))
            end_sessions(user)
            audit.record(None, "user.role_granted", "user", user.id, role=roles.ADMIN)
        security_log.event("role.granted", account=user.id, role=roles.ADMIN, by="command")
    return user


def search_users(query: str = "", limit: int = 100) -> list[User]:
    """Return users whose email or name contains `query`, newest first."""
    stmt = sa.select(User).order_by(User.id.desc()).limit(limit)
    if query.strip():
        like = f"%{query.strip().lower()}%"
        stmt = stmt.where(sa.or_(User.email.like(like), sa.func.lower(User.display_name)
                                 .like(like)))
    return list(db.session.scalars(stmt))
