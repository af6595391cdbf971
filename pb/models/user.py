"""People with accounts and the roles they hold."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_login import UserMixin

from pb.domain.roles import ADMIN, LIVE_RUNNERS, ROUND_MANAGERS
from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow


class User(UserMixin, db.Model):
    """A registered person; the email is stored lower-cased so it is unique as people see it."""

    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    email: so.Mapped[str] = so.mapped_column(sa.String(254), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(80))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    email_verified_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    # Part of the id in every session and remember-me cookie (`get_id`): raising it ends every
    # session made before (password changed, roles changed, "log out everywhere").
    session_generation: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # Two-factor login: the authenticator app's shared secret (base32), set when enrolment
    # starts and confirmed by a first valid code at `two_factor_enabled_at`. The last accepted
    # time step refuses a code used twice.
    totp_secret: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    totp_last_step: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    two_factor_enabled_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # When the email address last changed: part of every email-change link, so a link works
    # once (pb.services.account_changes).
    email_changed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    roles: so.Mapped[list[UserRole]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="UserRole.user_id")
    recovery_codes: so.Mapped[list[RecoveryCode]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="select")
    account_sessions: so.Mapped[list[AccountSession]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="select",
        passive_deletes=True)

    # The token of the session this object was loaded for or logged in with (not a column):
    # set by the services that start and load sessions, so `get_id` can name the session.
    session_token: ClassVar[str | None] = None

    def get_id(self) -> str:
        """Return the id Flask-Login keeps in the session and the "Keep me logged in" cookie:
        "<account>:<generation>:<token>" (pb.domain.sessions). Without a session token it is
        "<account>:<generation>", which logs nobody in."""
        if self.session_token:
            return f"{self.id}:{self.session_generation}:{self.session_token}"
        return f"{self.id}:{self.session_generation}"

    @property
    def two_factor_enabled(self) -> bool:
        return self.two_factor_enabled_at is not None

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, *names: str) -> bool:
        """Tell whether the user holds any of `names` (admins hold every role)."""
        held = self.role_names
        return ADMIN in held or bool(held.intersection(names))

    @property
    def manages_rounds(self) -> bool:
        return self.has_role(*ROUND_MANAGERS)

    @property
    def runs_live(self) -> bool:
        """Tell whether the user may set up and run live sessions."""
        return self.has_role(*LIVE_RUNNERS)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class UserRole(db.Model):
    """One role held by one user, granted by someone at some time."""

    __tablename__ = "user_roles"
    __table_args__ = (sa.UniqueConstraint("user_id", "role", name="uq_user_roles_user_role"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: so.Mapped[str] = so.mapped_column(sa.String(20))
    granted_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    granted_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    user: so.Mapped[User] = so.relationship(back_populates="roles", foreign_keys=[user_id])


class RecoveryCode(db.Model):
    """One of a user's two-factor recovery codes, kept as a SHA-256 hash; used once."""

    __tablename__ = "recovery_codes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    user: so.Mapped[User] = so.relationship(back_populates="recovery_codes")


class AccountSession(db.Model):
    """One login on one device, until it is ended (log out, ended from the account page or by
    an admin, the password changed) or runs out (docs/accounts.md).

    Only the SHA-256 of the session's token is kept, never the token, and of the device only
    the browser's and the system's names (pb.domain.sessions.describe_device).
    """

    __tablename__ = "account_sessions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Written at most once a minute (pb.domain.sessions.TOUCH_EVERY).
    last_seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    ended_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # How it ended: logout, user (from the account page), admin, expired, everywhere,
    # password (changed or reset), two_factor (turned off).
    ended_how: so.Mapped[str | None] = so.mapped_column(sa.String(12))
    browser: so.Mapped[str] = so.mapped_column(sa.String(30), default="")
    system: so.Mapped[str] = so.mapped_column(sa.String(30), default="")
    # Staff limits apply (12 hours, 2 idle by default): an admin, an officer, or two-factor on.
    staff: so.Mapped[bool] = so.mapped_column(default=False)

    user: so.Mapped[User] = so.relationship(back_populates="account_sessions")
