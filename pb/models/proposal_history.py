"""What happened to a proposal: its co-authors, its revisions and its status changes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow
from pb.models.user import User


class ProposalCoauthor(db.Model):
    """A person named by the author as writing the proposal with them."""

    __tablename__ = "proposal_coauthors"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "user_id",
                                          name="uq_proposal_coauthors"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))

    user: so.Mapped[User] = so.relationship(lazy="joined")


class ProposalRevision(db.Model):
    """One edit of a proposal: who made it, when, and each changed field before and after."""

    __tablename__ = "proposal_revisions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # {field: {"before": ..., "after": ...}} for every field the edit changed.
    changes: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    # The ids of the photos (ProposalPicture) the proposal showed after this revision.
    pictures: so.Mapped[list[int] | None] = so.mapped_column(sa.JSON)

    author: so.Mapped[User | None] = so.relationship(lazy="joined")


class ProposalEvent(db.Model):
    """A change of a proposal's status, with the public note that explains it."""

    __tablename__ = "proposal_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    from_status: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    to_status: so.Mapped[str] = so.mapped_column(sa.String(20))
    # "adjusted" for feasible at a new cost; otherwise the same as to_status.
    outcome: so.Mapped[str] = so.mapped_column(sa.String(20))
    note: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    cost_before: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    cost_after: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    merged_into_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="SET NULL"))

    actor: so.Mapped[User | None] = so.relationship(lazy="joined")
