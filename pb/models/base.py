"""Column helpers shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so
import sqlalchemy.types as st

from pb.domain import languages


def utcnow() -> datetime:
    """Return the current time in UTC, timezone-aware."""
    return datetime.now(UTC)


class UTCDateTime(st.TypeDecorator[datetime]):
    """Store aware datetimes as naive UTC; load them back as aware UTC.

    SQLite has no time zones, so every time goes in as UTC and comes out tagged as UTC.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None,
                             dialect: sa.Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Translated:
    """A row whose text may also be written in other languages (`pb.domain.languages`).

    `translations` holds, per language, the texts of `TRANSLATED` fields in that language:
    {"cy": {"title": "..."}}. Assign a new dict to change it (the column does not notice
    changes made inside the dict).
    """

    TRANSLATED: tuple[str, ...] = ()

    translations: so.Mapped[dict[str, dict[str, str]] | None] = so.mapped_column(sa.JSON)

    @property
    def content_language(self) -> str | None:
        """Return the language the row's own columns are written in (None if unknown)."""
        return getattr(self, "language", None)

    def shown(self, field: str, reader: str) -> languages.Shown:
        """Return `field` as a reader of language `reader` sees it."""
        return languages.shown(getattr(self, field) or "", self.content_language,
                               self.translations, field, reader)

    def texts(self) -> dict[str, dict[str, str]]:
        """Return the translated fields in every language the row has, by language."""
        return languages.by_language({name: getattr(self, name) or ""
                                      for name in self.TRANSLATED},
                                     self.content_language, self.translations)
