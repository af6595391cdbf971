"""Projects residents propose for a round's budget."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow
from pb.models.round import Round
from pb.models.user import User


class Proposal(db.Model):
    """A proposed project with its estimated cost; proposals grow revisions and reviews later."""

    __tablename__ = "proposals"
    __table_args__ = (sa.CheckConstraint("cost_minor >= 0", name="cost_not_negative"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The project's id in an imported pabulib file, kept so exports round-trip.
    external_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    summary: so.Mapped[str] = so.mapped_column(sa.String(500))
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    language: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    cost_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    category: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    area: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="submitted")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    round: so.Mapped[Round] = so.relationship()
    author: so.Mapped[User | None] = so.relationship()
