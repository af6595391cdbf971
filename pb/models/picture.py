"""Photos on proposals and PDF background papers on rounds and council referrals.

The files themselves live in the uploads folder under content-addressed names
(`pb.services.storage`); these rows say whose they are and how to show them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import Translated, UTCDateTime, utcnow
from pb.models.user import User


class ProposalPicture(Translated, db.Model):
    """A photo on a proposal, re-encoded at a few widths; kept when removed, for revisions."""

    __tablename__ = "proposal_pictures"
    TRANSLATED = ("alt",)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    proposal_id: so.Mapped[int] = so.mapped_column(
        sa.ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    added_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    added_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    # Text like the proposal's: a second language may come later.
    alt: so.Mapped[str] = so.mapped_column(sa.Text)
    # The language `alt` is written in; the other language's alt text is in `translations`.
    language: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    position: so.Mapped[int] = so.mapped_column(default=0)
    # The SHA-256 of the largest re-encoded file; every width's file name starts with it.
    key: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    width: so.Mapped[int]
    height: so.Mapped[int]
    # [{"width": 320, "height": 240, "name": "<sha256>.webp", "bytes": 12345}, ...], narrowest
    # first.
    variants: so.Mapped[list[dict[str, Any]]] = so.mapped_column(sa.JSON)
    removed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    hidden_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    hidden_reason: so.Mapped[str | None] = so.mapped_column(sa.String(300))
    hidden_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    # "processing" from the upload until re-encoded in the background (pb.services.
    # picture_jobs), then "ready" (variants filled) or "failed" (`failure` says why). Only
    # ready photos are shown to readers, on ballots and on the projector.
    state: so.Mapped[str] = so.mapped_column(sa.String(12), default="ready",
                                             server_default="ready")
    # The uploaded bytes' file in the uploads folder while processing (never served).
    pending: so.Mapped[str | None] = so.mapped_column(sa.String(100))
    # When the re-encoding last started: one left processing for a minute is started again.
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime)
    # The message (a gettext template) of a failed photo.
    failure: so.Mapped[str | None] = so.mapped_column(sa.String(500))

    added_by: so.Mapped[User | None] = so.relationship(foreign_keys=[added_by_id])

    @property
    def hidden(self) -> bool:
        return self.hidden_at is not None

    def variant(self, at_least: int) -> dict[str, Any]:
        """Return the narrowest variant at least `at_least` pixels wide (else the widest)."""
        for v in self.variants:
            if v["width"] >= at_least:
                return v
        return self.variants[-1]


class Paper(db.Model):
    """A PDF background paper an officer added to a round or a council referral."""

    __tablename__ = "papers"
    __table_args__ = (sa.CheckConstraint(
        "(round_id IS NULL) <> (referral_id IS NULL)", name="paper_has_one_owner"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    round_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    referral_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.Text)
    # The SHA-256 of the file, which is stored as "<key>.pdf".
    key: so.Mapped[str] = so.mapped_column(sa.String(64))
    size: so.Mapped[int]
    pages: so.Mapped[int]
    added_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
    added_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
