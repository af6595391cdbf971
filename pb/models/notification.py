"""Who follows what, how each person wants to hear of each kind of event, and what they were
told (docs/accounts.md, "Notifications")."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow


class Follow(db.Model):
    """A person following a round or a proposal; `active` False when they unfollowed (so
    commenting again does not follow it behind their back)."""

    __tablename__ = "follows"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "round_id", name="uq_follows_user_round"),
        sa.UniqueConstraint("user_id", "proposal_id", name="uq_follows_user_proposal"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    round_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    proposal_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    active: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class NotificationPreference(db.Model):
    """How one person wants to hear of one kind: "immediately", "daily" or "never"."""

    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id", "kind", name="uq_notification_prefs"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    delivery: so.Mapped[str] = so.mapped_column(sa.String(12))


class Notification(db.Model):
    """One thing one person was told, shown in the site's list and emailed as they chose.

    The text is made from `kind` and `params` when shown, in the reader's language.
    `emailed_at` is when it went into the outbox (at once, or in a daily digest).
    """

    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_user_read", "user_id", "read_at"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    kind: so.Mapped[str] = so.mapped_column(sa.String(20))
    params: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    url: so.Mapped[str] = so.mapped_column(sa.String(500))
    delivery: so.Mapped[str] = so.mapped_column(sa.String(12))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    emailed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class WorkerJob(db.Model):
    """When the worker last ran a scheduled job (the daily digest, the voting reminders)."""

    __tablename__ = "worker_jobs"

    name: so.Mapped[str] = so.mapped_column(sa.String(40), primary_key=True)
    last_run_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
