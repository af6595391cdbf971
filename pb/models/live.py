"""Live sessions: an event in a hall bound to a round, its agenda, the people in the room,
and their questions. Scores are ballots of the round (see pb.services.live)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow
from pb.models.proposal import Proposal
from pb.models.round import Round
from pb.models.user import User


class LiveSession(db.Model):
    """A facilitator-run event: join code, agenda, and the state the controls change.

    The state columns mirror pb.domain.live.State; `version` grows with every change so
    screens can drop stale snapshots.
    """

    __tablename__ = "live_sessions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    join_code: so.Mapped[str] = so.mapped_column(sa.String(12), unique=True)
    access: so.Mapped[str] = so.mapped_column(sa.String(20), default="open")
    method: so.Mapped[str] = so.mapped_column(sa.String(20), default="scoring")
    phase: so.Mapped[str] = so.mapped_column(sa.String(20), default="lobby")
    current: so.Mapped[int] = so.mapped_column(default=0)
    scoring: so.Mapped[str] = so.mapped_column(sa.String(10), default="none")
    questions_open: so.Mapped[bool] = so.mapped_column(default=False)
    timer_ends: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)  # ms since epoch
    timer_left: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)  # ms, while paused
    paused: so.Mapped[bool] = so.mapped_column(default=False)
    revealed: so.Mapped[bool] = so.mapped_column(default=False)
    # Questions held for the facilitator to approve before any screen shows them.
    moderated: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Tonight's result as revealed, kept so a later ballot cannot reorder what the room saw.
    revealed_result: so.Mapped[dict[str, Any] | None] = so.mapped_column(sa.JSON)
    version: so.Mapped[int] = so.mapped_column(default=1)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    round: so.Mapped[Round] = so.relationship()
    items: so.Mapped[list[LiveItem]] = so.relationship(
        back_populates="session", cascade="all, delete-orphan", lazy="selectin",
        order_by="LiveItem.position")
    created_by: so.Mapped[User | None] = so.relationship()


class LiveItem(db.Model):
    """One pitch on a session's agenda, with its pitch and question time."""

    __tablename__ = "live_items"
    __table_args__ = (sa.UniqueConstraint("session_id", "position", name="uq_live_items_pos"),
                      sa.UniqueConstraint("session_id", "proposal_id",
                                          name="uq_live_items_proposal"))

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int]
    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"))
    pitch_seconds: so.Mapped[int] = so.mapped_column(default=180)
    question_seconds: so.Mapped[int] = so.mapped_column(default=120)

    session: so.Mapped[LiveSession] = so.relationship(back_populates="items")
    proposal: so.Mapped[Proposal] = so.relationship(lazy="joined")


class LiveParticipant(db.Model):
    """Someone in the room. `token_hash` is the SHA-256 of the token their phone keeps, so a
    phone that reconnects is the same participant. In open (youth) mode nothing else is
    known about them; otherwise the account or voting code they joined with."""

    __tablename__ = "live_participants"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    voter_key: so.Mapped[str] = so.mapped_column(sa.String(128))
    online: so.Mapped[int] = so.mapped_column(default=0)  # open connections, across servers
    joined_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class LiveQuestion(db.Model):
    """A question from the floor about the current pitch, with its up-votes.

    `state` is "pending" (held for the facilitator), "open" (shown), "hidden" (with
    `hidden_reason`) or "answered"; see pb.domain.live.moderate.
    """

    __tablename__ = "live_questions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    session_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    position: so.Mapped[int]  # the agenda item it was asked during
    participant_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("live_participants.id", ondelete="SET NULL"))
    text: so.Mapped[str] = so.mapped_column(sa.String(400))
    votes: so.Mapped[int] = so.mapped_column(default=0)
    state: so.Mapped[str] = so.mapped_column(sa.String(20), default="open")
    hidden_reason: so.Mapped[str | None] = so.mapped_column(sa.String(400))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class LiveUpvote(db.Model):
    """One participant's up-vote of one question (once each)."""

    __tablename__ = "live_upvotes"
    __table_args__ = (sa.UniqueConstraint("question_id", "participant_id",
                                          name="uq_live_upvotes_once"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    question_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("live_questions.id", ondelete="CASCADE"), index=True)
    participant_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("live_participants.id", ondelete="CASCADE"))
