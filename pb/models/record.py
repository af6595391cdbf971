"""The decision record: an append-only hash chain of public decisions."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime


class RecordEntry(db.Model):
    """One entry of the chain; `hash` covers seq, at, kind, subject, body and `prev_hash`.

    The unique constraints on `seq` and `prev_hash` make the database refuse a fork: two
    appends that read the same head cannot both be stored.
    """

    __tablename__ = "record_entries"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    seq: so.Mapped[int] = so.mapped_column(unique=True)
    # The time exactly as hashed ("2026-05-01T09:00:00.000000Z"), and as a real time.
    at_text: so.Mapped[str] = so.mapped_column(sa.String(32))
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(40), index=True)
    subject: so.Mapped[str] = so.mapped_column(sa.String(80), index=True)
    body: so.Mapped[str] = so.mapped_column(sa.Text)  # canonical JSON
    prev_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    # Not hashed: lets a council's feed find its entries without parsing every body.
    council_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("councils.id", ondelete="SET NULL"), index=True)
    actor_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
