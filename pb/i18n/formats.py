"""Money and times as the visitor reads them: their locale, the site's time zone."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_datetime, get_locale

from pb.domain.money import format_money


def money(minor: int, currency: str) -> str:
    """Format minor units in the visitor's locale, e.g. "£250,000"."""
    return format_money(minor, currency, locale=str(get_locale() or "en_GB"))


WHEN_FORMATS = {"medium": "d MMMM y, HH:mm", "short": "d MMM y, HH:mm"}


def when(value: datetime | None, style: str = "medium") -> str:
    """Format a UTC time in the site's time zone for the visitor's locale, to the minute."""
    return "" if value is None else format_datetime(value, WHEN_FORMATS.get(style, style))
