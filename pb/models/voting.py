"""Who may vote in a round (census entries, access codes) and paper ballots entered by staff."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow
from pb.models.user import User


class CensusEntry(db.Model):
    """One eligible person from an uploaded census: keyed hashes only, never the values."""

    __tablename__ = "census_entries"
    __table_args__ = (sa.UniqueConstraint("round_id", "id_hash", name="uq_census_round_id"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    id_hash: so.Mapped[str] = so.mapped_column(sa.String(64))
    check_hash: so.Mapped[str] = so.mapped_column(sa.String(64))


class AccessCode(db.Model):
    """A single-use voting code, stored as a keyed hash; the code is the voter's identity."""

    __tablename__ = "access_codes"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    code_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    batch: so.Mapped[str] = so.mapped_column(sa.String(80), default="")
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)


class PaperBatch(db.Model):
    """A numbered bundle of paper ballots, entered by staff (twice, when the round says so).

    `state`: "entering" until the entries agree, "mismatch" while they differ, "counted" once
    its ballots are in the count.
    """

    __tablename__ = "paper_batches"
    __table_args__ = (sa.UniqueConstraint("round_id", "number", name="uq_paper_batches_number"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    number: so.Mapped[int]
    label: so.Mapped[str] = so.mapped_column(sa.String(120), default="")
    size: so.Mapped[int]
    state: so.Mapped[str] = so.mapped_column(sa.String(20), default="entering")
    created_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    counted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)

    entries: so.Mapped[list[PaperEntry]] = so.relationship(
        back_populates="batch", cascade="all, delete-orphan", lazy="selectin",
        order_by="(PaperEntry.position, PaperEntry.pass_no)")
    created_by: so.Mapped[User | None] = so.relationship()


class PaperEntry(db.Model):
    """One paper ballot as one member of staff typed it: `pass_no` 1 or 2 (the check entry),
    or 3 for an officer's resolution of a paper whose two entries differ. Spoilt or blank
    papers hold the string "spoilt"."""

    __tablename__ = "paper_entries"
    __table_args__ = (sa.UniqueConstraint("batch_id", "pass_no", "position",
                                          name="uq_paper_entries_position"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    batch_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("paper_batches.id", ondelete="CASCADE"), index=True)
    pass_no: so.Mapped[int]
    position: so.Mapped[int]
    items: so.Mapped[Any] = so.mapped_column(sa.JSON)
    entered_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    entered_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)

    batch: so.Mapped[PaperBatch] = so.relationship(back_populates="entries")
    entered_by: so.Mapped[User | None] = so.relationship()
