"""Choosing a council by lot: a recruitment, its volunteers, and the seed entered twice."""

from __future__ import annotations

import json
from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow
from pb.models.council import Council


class Recruitment(db.Model):
    """A call for volunteers to a council, its quotas, and the selection once published.

    Open until `closes_at`; then an officer publishes the selection (the fair distribution,
    the lottery of panels and their files, all kept here as published); then two officers
    enter the public seed and the panel is drawn.
    """

    __tablename__ = "recruitments"
    __table_args__ = (sa.CheckConstraint("seats > 0", name="seats_positive"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    council_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("councils.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(200))
    seats: so.Mapped[int]
    closes_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)
    term_start: so.Mapped[date] = so.mapped_column(sa.Date)
    term_end: so.Mapped[date | None] = so.mapped_column(sa.Date)
    # How the seed will be drawn, announced when the recruitment opens (fixed in advance).
    seed_source: so.Mapped[str] = so.mapped_column(sa.Text)
    quotas_csv: so.Mapped[str] = so.mapped_column(sa.Text)
    panel_count: so.Mapped[int] = so.mapped_column(default=1000)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    # The selection, published before the draw: the files exactly as hashed.
    published_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    pool_csv: so.Mapped[str | None] = so.mapped_column(sa.Text)
    probabilities_csv: so.Mapped[str | None] = so.mapped_column(sa.Text)
    panels_csv: so.Mapped[str | None] = so.mapped_column(sa.Text)
    published_quotas_csv: so.Mapped[str | None] = so.mapped_column(sa.Text)
    smallest: so.Mapped[float | None]
    mean: so.Mapped[float | None]
    largest_gap: so.Mapped[float | None]
    greedy_smallest: so.Mapped[float | None]
    greedy_never: so.Mapped[int | None]
    greedy_runs: so.Mapped[int | None]

    # The draw.
    seed: so.Mapped[str | None] = so.mapped_column(sa.String(200))
    drawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    panel_number: so.Mapped[int | None]

    council: so.Mapped[Council] = so.relationship()
    volunteers: so.Mapped[list[Volunteer]] = so.relationship(
        back_populates="recruitment", cascade="all, delete-orphan", order_by="Volunteer.number")

    def is_open(self, now: datetime) -> bool:
        """Tell whether volunteers may still register."""
        return self.published_at is None and now < self.closes_at


class Volunteer(db.Model):
    """Someone who offered to serve; their details are for officers only.

    The public knows them by `number`, which they are told when they register.
    """

    __tablename__ = "volunteers"
    __table_args__ = (
        sa.UniqueConstraint("recruitment_id", "email", name="uq_volunteers_email"),
        sa.UniqueConstraint("recruitment_id", "number", name="uq_volunteers_number"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    recruitment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("recruitments.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    name: so.Mapped[str] = so.mapped_column(sa.String(120))
    email: so.Mapped[str] = so.mapped_column(sa.String(254))
    phone: so.Mapped[str] = so.mapped_column(sa.String(40), default="")
    # {feature: category}, as canonical JSON.
    categories_json: so.Mapped[str] = so.mapped_column(sa.Text)
    source: so.Mapped[str] = so.mapped_column(sa.String(10), default="form")
    # SHA-256 of the secret in the volunteer's own links (confirm, withdraw, answer).
    key_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    withdrawn_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    # After the draw: None, "invited", "accepted", "declined" or "left".
    invitation: so.Mapped[str | None] = so.mapped_column(sa.String(10))
    invited_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    answered_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The member whose seat this volunteer was drawn to fill, when a replacement.
    replaces_number: so.Mapped[int | None]
    member_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("council_members.id", ondelete="SET NULL"))

    recruitment: so.Mapped[Recruitment] = so.relationship(back_populates="volunteers")

    @property
    def categories(self) -> dict[str, str]:
        return dict(json.loads(self.categories_json))

    @property
    def in_pool(self) -> bool:
        """Tell whether the volunteer counts: email confirmed and not withdrawn."""
        return self.confirmed_at is not None and self.withdrawn_at is None


class SeedEntry(db.Model):
    """One officer's entry of the public seed; the draw needs two officers' entries to agree."""

    __tablename__ = "seed_entries"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    recruitment_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("recruitments.id", ondelete="CASCADE"), index=True)
    officer_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    seed: so.Mapped[str] = so.mapped_column(sa.String(200))
    entered_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
