"""Changes people make to their own account: their name, their email address (confirmed by a
link sent to the new address) and deleting the account (docs/accounts.md).

Deleting erases the account row and what only it held (sessions, roles, recovery codes, council
seats); what belongs to the public record stays without a name: comments show "a former
member" (or are removed, when asked), proposals stay in their round, and ballots stay in the
count with their voter key replaced by a random one, so nothing links them to anyone.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from pb.domain import roles
from pb.domain.errors import N_
from pb.extensions import db
from pb.models import Ballot, BallotSubmission, Comment, OutboxMessage, User, UserRole
from pb.models.base import utcnow
from pb.services import ServiceError, audit, login_sessions, security_log, unit_of_work
from pb.services.accounts import find_by_email, normalise_email, password_matches
from pb.services.mail import send_mail

_EMAIL_SALT = "email-change"
NAME_MAX = 80


# Name --------------------------------------------------------------------------------------

def check_display_name(name: str) -> str:
    """Return the name as it is stored, or explain what is wrong with it."""
    name = (name or "").strip()
    if not name:
        raise ServiceError(N_("Enter the name other people will see."), field="display_name")
    if len(name) > NAME_MAX:
        raise ServiceError(N_("Use at most 80 characters."), field="display_name")
    return name


def do_change_display_name(user: User, name: str) -> None:
    """Give `user` a new display name, shown from now on next to all they wrote."""
    with unit_of_work():
        name = check_display_name(name)
        user.display_name = name
        # No names in the log: it outlives the account (see `do_delete_account`).
        audit.record(user, "user.renamed", "user", user.id)


# Email -------------------------------------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_EMAIL_SALT)


def _stamp(when: datetime | None) -> str:
    return when.isoformat() if when else ""


def check_new_email(user: User, email: str) -> str:
    """Return the new address as stored, or refuse one that is the same or already used."""
    email = normalise_email(email or "")
    if email == user.email:
        raise ServiceError(N_("That is already your email address. Type the new one."),
                           field="email")
    if find_by_email(email) is not None:
        raise ServiceError(N_("Another account already uses that email address. Use a "
                              "different address, or log in to that account."), field="email")
    return email


def request_email_change(user: User, email: str, password: str,
                         link_for: Callable[[str], str]) -> str:
    """Send a confirmation link to the new address (and a notice to the current one); the
    address changes only when the link is opened. Return the new address."""
    if not password_matches(user, password or ""):
        raise ServiceError(N_("That is not your password. Type the password you log in with."),
                           field="password")
    email = check_new_email(user, email)
    token = _serializer().dumps({"u": user.id, "e": email, "s": _stamp(user.email_changed_at)})
    hours = current_app.config["PB_EMAIL_TOKEN_MAX_AGE"] // 3600
    with unit_of_work():
        send_mail(email, _("Confirm your new email address"), _(
            "Hello %(name)s,\n\nTo use this address for your account, open this link within "
            "%(hours)d hours:\n\n%(link)s\n\nIf you did not ask for this, ignore this email; "
            "nothing changes.", name=user.display_name, hours=hours, link=link_for(token)))
        send_mail(user.email, _("Someone asked to change your email address"), _(
            "Hello %(name)s,\n\nSomeone logged in to your account asked to use %(email)s "
            "instead of this address. Nothing changes until the link sent there is opened.\n\n"
            "If it was not you, change your password now and log out everywhere from your "
            "account page.", name=user.display_name, email=email))
        audit.record(user, "user.email_change_requested", "user", user.id)
    security_log.event("email.change_requested", account=user.id)
    return email


def user_for_email_token(token: str) -> tuple[User, str]:
    """Return the account and the new address a confirmation link names, or explain why the
    link cannot be used (expired, damaged, already used, or the address taken meanwhile)."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PB_EMAIL_TOKEN_MAX_AGE"])
    except SignatureExpired:
        raise ServiceError(N_("This confirmation link has expired. Ask for a new one from "
                              "your account page; your email address has not changed.")) from None
    except BadSignature:
        raise ServiceError(N_("This confirmation link is not valid. Check that you copied the "
                              "whole link, or ask for a new one from your account page."))\
            from None
    user = db.session.get(User, data.get("u")) if isinstance(data, dict) else None
    if user is None or data.get("s") != _stamp(user.email_changed_at) \
            or not isinstance(data.get("e"), str):
        raise ServiceError(N_("This confirmation link has already been used, or a newer "
                              "request replaced it. Nothing was changed by opening it again."))
    return user, data["e"]


def do_confirm_email(token: str) -> User:
    """Change the address a confirmation link names; the link then stops working."""
    with unit_of_work():
        user, email = user_for_email_token(token)
        if find_by_email(email) is not None:
            raise ServiceError(N_("Another account started using that email address after you "
                                  "asked. Your email address has not changed."))
        before = user.email
        user.email = email
        user.email_verified_at = user.email_changed_at = utcnow()
        audit.record(user, "user.email_changed", "user", user.id)
        send_mail(before, _("Your email address was changed"), _(
            "Hello %(name)s,\n\nYour account now uses %(email)s; this address will get no more "
            "email from us.\n\nIf it was not you, contact the site's administrators.",
            name=user.display_name, email=email))
    security_log.event("email.changed", account=user.id)
    return user


# Deleting ----------------------------------------------------------------------------------

def last_admin(user: User) -> bool:
    """Tell whether `user` is the only admin left (who may not delete their account)."""
    if roles.ADMIN not in user.role_names:
        return False
    return db.session.scalar(sa.select(sa.func.count()).select_from(UserRole)
                             .where(UserRole.role == roles.ADMIN)) <= 1


def check_delete(user: User, password: str) -> None:
    """Refuse to delete the last admin, or without the account's password."""
    if last_admin(user):
        raise ServiceError(N_("You are the only admin, so this account cannot be deleted: "
                              "nobody could run the site. Make someone else an admin first."))
    if not password_matches(user, password or ""):
        raise ServiceError(N_("That is not your password. Type the password you log in with."),
                           field="password")


def do_delete_account(user: User, password: str, remove_comments: bool) -> None:
    """Erase `user`'s account after `check_delete`: end every session, keep their comments
    as "a former member" (or remove their text), keep proposals without their name, and
    cut every ballot's link to them."""
    with unit_of_work():
        check_delete(user, password)
        account = user.id
        login_sessions.end_all(user, "everywhere")
        voter = f"user:{account}"
        # A random key per round, the same for the ballot and its submissions: ballots stay
        # counted and receipts still check, linked to nobody.
        fresh: dict[int, str] = {}
        for model in (Ballot, BallotSubmission):
            for row in db.session.scalars(sa.select(model).where(model.voter_key == voter)):
                row.voter_key = fresh.setdefault(row.round_id,
                                                 f"former:{secrets.token_hex(16)}")
        removed = 0
        if remove_comments:
            for comment in db.session.scalars(sa.select(Comment)
                                              .where(Comment.author_id == account)):
                # Emptied, not deleted: replies from other people stay in the thread. An
                # empty reason marks "removed by its author" (not a moderator's decision).
                comment.body = ""
                comment.hidden_at = comment.hidden_at or utcnow()
                comment.hidden_reason = ""
                removed += 1
        # Mail not sent yet (notifications, digests) would reach someone who has gone.
        db.session.execute(sa.delete(OutboxMessage).where(
            OutboxMessage.recipient == user.email, OutboxMessage.sent_at.is_(None)))
        audit.record(None, "user.deleted", "user", account, comments_removed=removed)
        db.session.delete(user)
    security_log.event("account.deleted", account=account, comments_removed=remove_comments)
