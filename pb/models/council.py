"""Citizens' councils: members with terms, referrals, approvals, recommendations, responses."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import Translated, UTCDateTime, utcnow
from pb.models.user import User


class Council(db.Model):
    """A standing council of residents that advises the decision body."""

    __tablename__ = "councils"
    __table_args__ = (sa.CheckConstraint("response_days > 0", name="response_days_positive"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(120), unique=True)
    remit: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # How many days after advice is published each recommendation must have a response.
    response_days: so.Mapped[int] = so.mapped_column(default=30)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    # Who may publish the council's advice: its chair alone, or a majority of its current
    # members, each approving the same draft (see pb.domain.council.PUBLISH_RULES).
    publish_rule: so.Mapped[str] = so.mapped_column(sa.String(20), default="chair",
                                                    server_default="chair")
    chair_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    chair: so.Mapped[User | None] = so.relationship(foreign_keys=[chair_id])
    members: so.Mapped[list[CouncilMember]] = so.relationship(
        back_populates="council", cascade="all, delete-orphan", lazy="selectin",
        order_by="CouncilMember.term_start")
    referrals: so.Mapped[list[Referral]] = so.relationship(
        back_populates="council", order_by="Referral.id.desc()")

    def __repr__(self) -> str:
        return f"<Council {self.id} {self.name!r}>"


class CouncilMember(db.Model):
    """A person's term on a council: from `term_start` to `term_end` (open-ended if None)."""

    __tablename__ = "council_members"
    __table_args__ = (
        sa.UniqueConstraint("council_id", "user_id", "term_start", name="uq_council_members_term"),
        sa.CheckConstraint("term_end IS NULL OR term_end >= term_start", name="term_order"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    council_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    term_start: so.Mapped[date] = so.mapped_column(sa.Date)
    term_end: so.Mapped[date | None] = so.mapped_column(sa.Date)

    council: so.Mapped[Council] = so.relationship(back_populates="members")
    user: so.Mapped[User] = so.relationship(lazy="joined")

    def serves_on(self, day: date) -> bool:
        """Tell whether the term covers `day`."""
        return self.term_start <= day and (self.term_end is None or day <= self.term_end)


class Referral(Translated, db.Model):
    """A question the decision body puts to a council, and the council's advice on it."""

    __tablename__ = "referrals"
    TRANSLATED = ("question", "background", "summary")

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    council_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    question: so.Mapped[str] = so.mapped_column(sa.String(300))
    background: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The language the referral and its advice are written in (None: not stated); the other
    # language's texts are in `translations`, of the referral and of each recommendation.
    language: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    advice_due: so.Mapped[date] = so.mapped_column(sa.Date)
    referred_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # The council's covering summary: a draft until the advice is published.
    summary: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)
    published_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    council: so.Mapped[Council] = so.relationship(back_populates="referrals")
    referred_by: so.Mapped[User | None] = so.relationship(foreign_keys=[referred_by_id])
    recommendations: so.Mapped[list[Recommendation]] = so.relationship(
        back_populates="referral", cascade="all, delete-orphan", lazy="selectin",
        order_by="Recommendation.number")
    approvals: so.Mapped[list[AdviceApproval]] = so.relationship(
        back_populates="referral", cascade="all, delete-orphan", lazy="selectin",
        order_by="AdviceApproval.approved_at")


class AdviceApproval(db.Model):
    """A member's approval of a draft, under the majority rule; it counts only while the
    draft is exactly what they approved (`draft_sha256`)."""

    __tablename__ = "advice_approvals"
    __table_args__ = (
        sa.UniqueConstraint("referral_id", "user_id", name="uq_advice_approvals_member"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    referral_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    draft_sha256: so.Mapped[str] = so.mapped_column(sa.String(64))
    approved_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    referral: so.Mapped[Referral] = so.relationship(back_populates="approvals")
    user: so.Mapped[User] = so.relationship(lazy="joined")


class Recommendation(Translated, db.Model):
    """One numbered recommendation; immutable once its advice is published."""

    __tablename__ = "recommendations"
    TRANSLATED = ("text", "rationale")
    __table_args__ = (
        sa.UniqueConstraint("referral_id", "number", name="uq_recommendations_number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    referral_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    text: so.Mapped[str] = so.mapped_column(sa.Text)
    rationale: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow,
                                                       onupdate=utcnow)
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # When the decision body's response is due: publication plus the council's period.
    response_due: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime, index=True)

    referral: so.Mapped[Referral] = so.relationship(back_populates="recommendations")
    responses: so.Mapped[list[Response]] = so.relationship(
        back_populates="recommendation", cascade="all, delete-orphan", lazy="selectin",
        order_by="Response.version")

    @property
    def content_language(self) -> str | None:
        return self.referral.language

    @property
    def latest(self) -> Response | None:
        """Return the current response (the latest version), if any."""
        return self.responses[-1] if self.responses else None


class Response(Translated, db.Model):
    """One version of the decision body's response; amending adds a version."""

    __tablename__ = "responses"
    TRANSLATED = ("reasons",)
    __table_args__ = (
        sa.UniqueConstraint("recommendation_id", "version", name="uq_responses_version"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    recommendation_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("recommendations.id", ondelete="CASCADE"), index=True)
    version: so.Mapped[int]
    outcome: so.Mapped[str] = so.mapped_column(sa.String(20))
    reasons: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    deferred_until: so.Mapped[date | None] = so.mapped_column(sa.Date)
    responded_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    responded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    recommendation: so.Mapped[Recommendation] = so.relationship(back_populates="responses")

    @property
    def content_language(self) -> str | None:
        return self.recommendation.referral.language
    responded_by: so.Mapped[User | None] = so.relationship(lazy="joined")
