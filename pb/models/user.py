"""People with accounts and the roles they hold."""

from __future__ import annotations

from datetime import datetime

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

    roles: so.Mapped[list[UserRole]] = so.relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin",
        foreign_keys="UserRole.user_id")

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
