"""Site pages admins may rewrite: the privacy notice and the accessibility statement."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models.base import UTCDateTime, utcnow


class SitePage(db.Model):
    """An admin's own text for one site page in one language (Markdown source).

    A page with no row for a language shows the translated default text
    (pb.services.site_pages); an edit in English leaves the Welsh default as it was.
    """

    __tablename__ = "site_pages"
    __table_args__ = (sa.UniqueConstraint("slug", "language", name="uq_site_pages_slug_language"),)

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    slug: so.Mapped[str] = so.mapped_column(sa.String(40))
    language: so.Mapped[str] = so.mapped_column(sa.String(8))
    body: so.Mapped[str] = so.mapped_column(sa.Text)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"))
