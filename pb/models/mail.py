"""Every email the platform sends: a durable outbox, written in the same transaction as the
change that caused it and delivered by the worker (pb.services.mail.deliver_due)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow


class OutboxMessage(db.Model):
    """An email waiting for the worker, sent, or kept for admins when no SMTP is configured.

    A failed try raises `attempts`, keeps the `error` and waits until `next_attempt_at`.
    """

    __tablename__ = "outbox"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    recipient: so.Mapped[str] = so.mapped_column(sa.String(254))
    subject: so.Mapped[str] = so.mapped_column(sa.String(200))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    html: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # RFC 8058 one-click unsubscribe: List-Unsubscribe names this address.
    unsubscribe_url: so.Mapped[str | None] = so.mapped_column(sa.String(500))
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    error: so.Mapped[str | None] = so.mapped_column(sa.Text)
    attempts: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    next_attempt_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
