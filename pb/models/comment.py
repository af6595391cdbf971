"""Comments on proposals, flags people raise on them, and the public moderation log."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow
from pb.models.proposal import Proposal
from pb.models.user import User


class Comment(db.Model):
    """One comment with a stance; `body` is Markdown source, rendered only when shown."""

    __tablename__ = "comments"
    __table_args__ = (
        sa.CheckConstraint("stance IN ('for', 'against', 'question')", name="stance_known"),
        sa.Index("ix_comments_proposal_created", "proposal_id", "created_at"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    author_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    parent_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    depth: so.Mapped[int] = so.mapped_column(default=0)
    stance: so.Mapped[str] = so.mapped_column(sa.String(10))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    edited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    hidden_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    hidden_reason: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    hidden_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The one-time key of the form that posted it: a replayed form finds this comment.
    form_key: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)

    proposal: so.Mapped[Proposal] = so.relationship()
    author: so.Mapped[User | None] = so.relationship(foreign_keys=[author_id], lazy="joined")
    parent: so.Mapped[Comment | None] = so.relationship(remote_side=[id])

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None


class Flag(db.Model):
    """Someone's report that a comment breaks the rules; one per person and comment."""

    __tablename__ = "comment_flags"
    __table_args__ = (sa.UniqueConstraint("comment_id", "user_id",
                                          name="uq_comment_flags_comment_user"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    comment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reason: so.Mapped[str] = so.mapped_column(sa.String(300))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    resolved_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    resolved_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    comment: so.Mapped[Comment] = so.relationship()


class ModerationAction(db.Model):
    """A public entry in the moderation log: a comment hidden or shown again, and why."""

    __tablename__ = "moderation_actions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow, index=True)
    comment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("comments.id", ondelete="CASCADE"), index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(20))  # "hide" or "unhide"
    reason: so.Mapped[str] = so.mapped_column(sa.String(300))
    moderator_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    # The role the moderator acted in, shown publicly instead of their name.
    moderator_role: so.Mapped[str] = so.mapped_column(sa.String(20))

    comment: so.Mapped[Comment] = so.relationship(lazy="joined")
