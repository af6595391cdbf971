"""Login sessions kept at the server: started at login, checked on every request and socket
connect, ended on logout, from the account page, by an admin, or when they run out.

Each login on a device is one `AccountSession` row; the session cookie and the "Keep me logged
in" cookie carry its token inside the Flask-Login id (pb.domain.sessions), and the database
keeps only the token's SHA-256. `load` (the user loader) refuses an unknown, ended or run-out
session, so a copy of either cookie stops working the moment the session ends. The limits
(docs/accounts.md): staff (admins, officers, anyone with two-factor login) PB_STAFF_SESSION_HOURS
from the login and PB_STAFF_IDLE_MINUTES since last used; everyone else PB_SESSION_DAYS.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from pb.domain import sessions as rules
from pb.extensions import db
from pb.models import AccountSession, User
from pb.services import audit, security_log, unit_of_work


def _now() -> datetime:
    return datetime.now(UTC)


def limits(staff: bool) -> rules.Limits:
    """Return how long a staff (or other) session may last, from the settings."""
    config = current_app.config
    if staff:
        return rules.Limits(absolute=timedelta(hours=config["PB_STAFF_SESSION_HOURS"]),
                            idle=timedelta(minutes=config["PB_STAFF_IDLE_MINUTES"]))
    return rules.Limits(absolute=timedelta(days=config["PB_SESSION_DAYS"]), idle=None)


def do_start(user: User, user_agent: str = "") -> str:
    """Start a session for `user` on the device `user_agent` names; return its token, which
    `user.get_id()` now carries (the caller logs the user in with it)."""
    token = secrets.token_urlsafe(32)
    browser, system = rules.describe_device(user_agent)
    with unit_of_work():
        db.session.add(AccountSession(
            user_id=user.id, token_hash=rules.token_hash(token), browser=browser,
            system=system, staff=rules.is_staff(user.role_names, user.two_factor_enabled)))
    user.session_token = token
    return token


def _row(token: str | None) -> AccountSession | None:
    if not token:
        return None
    return db.session.scalar(sa.select(AccountSession).where(
        AccountSession.token_hash == rules.token_hash(token)))


def load(session_id: str) -> User | None:
    """Return the user whose live session `session_id` names, noting that it was used (at
    most once a minute); None for an old-style id, a past generation, or a session that was
    ended or has run out (which ends it now)."""
    found = rules.parse(session_id)
    if found is None:
        return None
    user = db.session.get(User, found.account)
    if user is None or user.session_generation != found.generation:
        return None
    row = _row(found.token)
    if row is None or row.user_id != user.id or row.ended_at is not None:
        return None
    now = _now()
    reason = rules.ran_out(row.created_at, row.last_seen_at, now, limits(row.staff))
    if reason is not None:
        with unit_of_work():
            _end([row], "expired", now)
        security_log.event("session.ended", account=user.id, how="expired", reason=reason)
        return None
    if rules.due_a_touch(row.last_seen_at, now):
        with unit_of_work():
            row.last_seen_at = now
    user.session_token = found.token
    return user


def current(user: User) -> AccountSession | None:
    """Return the session `user` was loaded with in this request, if any."""
    row = _row(user.session_token)
    return row if row is not None and row.user_id == user.id else None


def active(user: User) -> list[AccountSession]:
    """Return `user`'s sessions that are neither ended nor run out, the latest used first."""
    now = _now()
    rows = db.session.scalars(sa.select(AccountSession).where(
        AccountSession.user_id == user.id, AccountSession.ended_at.is_(None),
    ).order_by(AccountSession.last_seen_at.desc(), AccountSession.id.desc()))
    return [r for r in rows
            if rules.ran_out(r.created_at, r.last_seen_at, now, limits(r.staff)) is None]


def _end(rows: Iterable[AccountSession], how: str, now: datetime | None = None) -> int:
    count = 0
    for row in rows:
        if row.ended_at is None:
            row.ended_at, row.ended_how = now or _now(), how
            count += 1
    return count


def end_all(user: User, how: str, keep: str | None = None) -> int:
    """End all of `user`'s sessions but the one whose token is `keep`, inside the caller's
    unit of work; return how many ended."""
    rows = db.session.scalars(sa.select(AccountSession).where(
        AccountSession.user_id == user.id, AccountSession.ended_at.is_(None)))
    keep_hash = rules.token_hash(keep) if keep else None
    return _end((r for r in rows if r.token_hash != keep_hash), how)


def do_log_out(user: User) -> None:
    """End the session `user` was loaded with (logging out on this device)."""
    row = current(user)
    if row is None:
        return
    with unit_of_work():
        _end([row], "logout")
    security_log.event("session.ended", account=user.id, how="logout", count=1)


def do_end_own(user: User, session_ids: Iterable[int] | None) -> int:
    """End the chosen sessions of `user` (all but this one when `session_ids` is None); the
    session of this request is never ended here. Ask for a password or code first
    (two_factor.check_proof). Return how many ended."""
    keep = current(user)
    with unit_of_work():
        rows = [r for r in active(user) if keep is None or r.id != keep.id]
        if session_ids is not None:
            chosen = set(session_ids)
            rows = [r for r in rows if r.id in chosen]
        count = _end(rows, "user")
    if count:
        security_log.event("session.ended", account=user.id, how="user", count=count)
    return count


def do_end_by_admin(admin: User, user: User) -> int:
    """End every session of `user` (an admin's button); return how many were live."""
    with unit_of_work():
        count = len(active(user))
        end_all(user, "admin")
        audit.record(admin, "user.sessions_ended", "user", user.id, count=count)
    security_log.event("session.ended", account=user.id, how="admin", count=count,
                       by=admin.id)
    return count
