"""Projects residents propose for a round's budget."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import Translated, UTCDateTime, utcnow
from pb.models.round import Round
from pb.models.user import User


class Proposal(Translated, db.Model):
    """A proposed project with its estimated cost, its authors, revisions and reviews."""

    __tablename__ = "proposals"
    TRANSLATED = ("title", "summary", "body")
    __table_args__ = (sa.CheckConstraint("cost_minor >= 0", name="cost_not_negative"),
                      sa.UniqueConstraint("form_key", name="uq_proposals_form_key"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The project's id in an imported pabulib file, kept so exports round-trip.
    external_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # Every other column of the imported project row, as written (cost, name, votes, score,
    # selected, latitude...), so an export gives the file back unchanged.
    source_fields: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
    # Text, not short strings: imported names and category lists are kept whole.
    title: so.Mapped[str] = so.mapped_column(sa.Text)
    summary: so.Mapped[str] = so.mapped_column(sa.Text)
    body: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    language: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    cost_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    category: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    area: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # Where it would happen: a point in degrees (WGS 84, as maps and pabulib give it) and/or
    # a street description; either may be missing.
    latitude: so.Mapped[float | None] = so.mapped_column(sa.Float)
    longitude: so.Mapped[float | None] = so.mapped_column(sa.Float)
    place: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    status: so.Mapped[str] = so.mapped_column(sa.String(20), default="submitted")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # Bumped by every change, so a form filled in before someone else's change is refused.
    version: so.Mapped[int] = so.mapped_column(default=1, server_default="1")
    # The one-time key of the form that created it: sending that form twice adds nothing.
    form_key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # The public note of the latest status change: a review's reason, a withdrawal's reason.
    status_note: so.Mapped[str] = so.mapped_column(sa.Text, default="", server_default="")
    merged_into_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="SET NULL"))
    # Kept up to date by the discussion service, so listings sort by it without a join.
    comment_count: so.Mapped[int] = so.mapped_column(default=0, server_default="0")

    round: so.Mapped[Round] = so.relationship()
    author: so.Mapped[User | None] = so.relationship()
    merged_into: so.Mapped[Proposal | None] = so.relationship(remote_side=[id])
