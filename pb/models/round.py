"""Budget rounds and their planned phase schedule."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.domain import languages
from pb.extensions import db
from pb.models.base import Translated, UTCDateTime, utcnow


class Round(Translated, db.Model):
    """A budget round: a fixed budget for an area, a ballot method, a counting rule, phases."""

    __tablename__ = "rounds"
    TRANSLATED = ("title", "description")
    __table_args__ = (
        sa.CheckConstraint("budget_minor > 0", name="budget_positive"),
    )

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    # Text, not a short string: an imported file's description is kept whole.
    title: so.Mapped[str] = so.mapped_column(sa.Text)
    description: so.Mapped[str] = so.mapped_column(sa.Text, default="")
    # The language the title and description are written in, when the author says.
    language: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    # Published in both languages: every text of the round and its proposals must be written
    # in each of the site's content languages (pb.domain.languages).
    both_languages: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    area: so.Mapped[str] = so.mapped_column(sa.Text)
    budget_minor: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    currency: so.Mapped[str] = so.mapped_column(sa.String(3))
    ballot_method: so.Mapped[str] = so.mapped_column(sa.String(20))
    tally_rule: so.Mapped[str] = so.mapped_column(sa.String(40))
    phase: so.Mapped[str] = so.mapped_column(sa.String(20), default="draft", index=True)
    # META of an imported pabulib file (its threshold, rule, unit...), kept for export.
    source_meta: so.Mapped[dict[str, str] | None] = so.mapped_column(sa.JSON)
    # How that file was laid out, so an export writes it back the same way:
    # {"projects": [PROJECTS header], "votes": [VOTES header], "vote_columns": [the VOTES
    #  columns kept in Ballot.source_extra], "newline": "\n" or "\r\n", "final_newline": bool}.
    source_format: so.Mapped[dict[str, object] | None] = so.mapped_column(sa.JSON)
    # The categories and areas proposals choose from; an empty list lets authors type their own.
    categories: so.Mapped[list[str] | None] = so.mapped_column(sa.JSON)
    areas: so.Mapped[list[str] | None] = so.mapped_column(sa.JSON)
    # Each category's name in other languages: {"Parks": {"cy": "Parciau"}}. Proposals store
    # the category as written in `categories`; this only changes what readers see.
    category_names: so.Mapped[dict[str, dict[str, str]] | None] = so.mapped_column(sa.JSON)
    # Voting: the ballot method's settings (see pb.domain.ballots.BallotRules).
    ballot_limit: so.Mapped[int | None] = so.mapped_column()  # approval picks, ranked places
    ballot_points: so.Mapped[int | None] = so.mapped_column()  # cumulative points to spread
    ballot_max_points: so.Mapped[int | None] = so.mapped_column()  # cumulative cap per project
    min_spend_percent: so.Mapped[int] = so.mapped_column(default=0, server_default="0")
    # Who may vote: "accounts", "census" or "codes" (pb.domain.eligibility).
    eligibility: so.Mapped[str] = so.mapped_column(sa.String(20), default="accounts",
                                                   server_default="accounts")
    verified_only: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # The second thing a census voter gives besides their identifier ("postcode", ...).
    census_check: so.Mapped[str | None] = so.mapped_column(sa.String(20))
    double_entry: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    running_totals: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    # Photo thumbnails on the listing and the ballot (never in low-data mode).
    show_thumbnails: so.Mapped[bool] = so.mapped_column(default=True, server_default=sa.true())
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow,
                                                       onupdate=utcnow)
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))

    schedule: so.Mapped[list[PhaseStart]] = so.relationship(
        back_populates="round", cascade="all, delete-orphan", lazy="selectin",
        order_by="PhaseStart.starts_at")

    @property
    def starts(self) -> dict[str, datetime]:
        """Return the planned start of each scheduled phase, by phase name."""
        return {s.phase: s.starts_at for s in self.schedule}

    def category_shown(self, category: str, reader: str) -> languages.Shown:
        """Return a category's name as a reader of language `reader` sees it."""
        return languages.shown(category, self.language,
                               {lang: {"name": name} for lang, name
                                in (self.category_names or {}).get(category, {}).items()},
                               "name", reader)

    def __repr__(self) -> str:
        return f"<Round {self.id} {self.title!r} {self.phase}>"


class PhaseStart(db.Model):
    """When a phase of a round is planned to start."""

    __tablename__ = "phase_starts"
    __table_args__ = (sa.UniqueConstraint("round_id", "phase", name="uq_phase_starts_round"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("rounds.id", ondelete="CASCADE"))
    phase: so.Mapped[str] = so.mapped_column(sa.String(20))
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime)

    round: so.Mapped[Round] = so.relationship(back_populates="schedule")
