"""Decisions taken on a round's count: certification, departures, implementation updates."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow
from pb.models.user import User


class Certification(db.Model):
    """An officer's statement that a stored count is the round's official result."""

    __tablename__ = "certifications"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), unique=True)
    tally_run_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("tally_runs.id"))
    by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    record_seq: so.Mapped[int]

    by: so.Mapped[User | None] = so.relationship()


class Departure(db.Model):
    """A project funded or dropped against the counted outcome, with the public reason."""

    __tablename__ = "departures"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    action: so.Mapped[str] = so.mapped_column(sa.String(10))
    reason: so.Mapped[str] = so.mapped_column(sa.Text)
    by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    record_seq: so.Mapped[int]

    by: so.Mapped[User | None] = so.relationship()


class ImplementationUpdate(db.Model):
    """Progress on a funded project: its status, spend to date and a public note."""

    __tablename__ = "implementation_updates"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(20))
    spent_minor: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id",
                                                                  ondelete="SET NULL"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    record_seq: so.Mapped[int]

    by: so.Mapped[User | None] = so.relationship()
