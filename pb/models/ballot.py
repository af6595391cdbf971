"""Ballots and the counts made from them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow


class Ballot(db.Model):
    """One voter's ballot in one round; the latest one a voter casts is the one that counts.

    `voter_key` identifies the voter within the round only ("user:12", "import:<id>", ...);
    the unique constraint is what guarantees one ballot per voter, even under concurrency.
    `items` holds proposal ids as strings: a list for approval and ranked ballots (in rank
    order), an object of points for cumulative and scoring ballots.
    """

    __tablename__ = "ballots"
    __table_args__ = (sa.UniqueConstraint("round_id", "voter_key",
                                          name="uq_ballots_round_voter"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    voter_key: so.Mapped[str] = so.mapped_column(sa.String(128))
    items: so.Mapped[Any] = so.mapped_column(sa.JSON)
    source: so.Mapped[str] = so.mapped_column(sa.String(20), default="online")
    # An imported ballot's other VOTES columns (age, sex, ...), as written, in the order of
    # the round's source_format["vote_columns"]; None for ballots cast here.
    source_extra: so.Mapped[list[str] | None] = so.mapped_column(sa.JSON)
    # The submission now counted: its idempotency key, and the SHA-256 of its receipt code
    # (the code itself is derived again when needed, never stored). Paper and imported
    # ballots have neither.
    submission_key: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    receipt_fp: so.Mapped[str | None] = so.mapped_column(sa.String(64), index=True)
    cast_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow,
                                                       onupdate=utcnow)


class BallotSubmission(db.Model):
    """Every ballot a voter submitted, by idempotency key, so a retry gets the same answer.

    A voter who changes their ballot leaves their earlier receipts here, so "check my receipt"
    can say a receipt was replaced by a later ballot rather than lost. Items are not kept.
    """

    __tablename__ = "ballot_submissions"
    __table_args__ = (sa.UniqueConstraint("round_id", "voter_key", "key",
                                          name="uq_ballot_submissions_key"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    voter_key: so.Mapped[str] = so.mapped_column(sa.String(128))
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    receipt_fp: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)


class TallyRun(db.Model):
    """A count of a round, kept so results pages never recount a large round per visit.

    `digest` is the SHA-256 of exactly what was counted (rule, budget, costs and ballots), so a
    stored count is reused only while nothing it depends on has changed.
    """

    __tablename__ = "tally_runs"
    __table_args__ = (sa.UniqueConstraint("round_id", "digest", name="uq_tally_runs_digest"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    digest: so.Mapped[str] = so.mapped_column(sa.String(64))
    # A cheap fingerprint of the round's state (settings, proposals, ballot count and latest
    # change), so a results page finds its count without reading every ballot.
    state: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    rule: so.Mapped[str] = so.mapped_column(sa.String(40))
    ballots: so.Mapped[int]
    outcome: so.Mapped[dict[str, Any]] = so.mapped_column(sa.JSON)
    seconds: so.Mapped[float]
    computed_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
