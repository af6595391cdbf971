"""Money and times as the visitor reads them: their locale, the site's time zone."""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from typing import Any

from flask_babel import format_datetime, get_locale

from pb.domain.money import format_money, minor_digits


def money(minor: int, currency: str) -> str:
    """Format minor units in the visitor's locale, e.g. "£250,000"."""
    return format_money(minor, currency, locale=str(get_locale() or "en_GB"))


WHEN_FORMATS = {"medium": "d MMMM y, HH:mm", "short": "d MMM y, HH:mm"}


def when(value: datetime | None, style: str = "medium") -> str:
    """Format a UTC time in the site's time zone for the visitor's locale, to the minute."""
    return "" if value is None else format_datetime(value, WHEN_FORMATS.get(style, style))


def money_style(currency: str) -> dict[str, Any]:
    """Describe how `money` writes `currency` in the visitor's locale, so that the live pages'
    script (`PbLive.money` in static/js/live-common.js) writes exactly the same strings."""
    return _money_style(currency, str(get_locale() or "en_GB"))


@lru_cache(maxsize=64)
def _money_style(currency: str, locale: str) -> dict[str, Any]:
    # Read from what `format_money` itself writes for sample amounts, so the script cannot
    # drift from it: prefix and suffix (symbol, spacing), separators and group sizes.
    digits = minor_digits(currency)
    unit = 10 ** digits
    style: dict[str, Any] = {"currency": currency, "digits": digits,
                             "whole": _shape(format_money(123_456_789 * unit, currency, locale),
                                             format_money(1_234 * unit, currency, locale), 0)}
    if digits:
        style["part"] = _shape(format_money(123_456_789 * unit + 1, currency, locale),
                               format_money(1_234 * unit + 1, currency, locale), digits)
    return style


def _shape(sample: str, small: str, digits: int) -> dict[str, Any]:
    """Take a formatted 123,456,789 (with `digits` decimals) and 1,234 apart."""
    numeric = [i for i, c in enumerate(sample) if "0" <= c <= "9"]
    first, last = numeric[0], numeric[-1]
    core = sample[first:last + 1]
    shape: dict[str, Any] = {"prefix": sample[:first], "suffix": sample[last + 1:]}
    if digits:
        shape["decimal"] = core[-digits - 1]
        core = core[:-digits - 1]
    groups = re.split(r"[^0-9]+", core)
    separators = re.findall(r"[^0-9]+", core)
    shape["group"] = separators[0] if separators else ""
    shape["primary"] = len(groups[-1]) if separators else 0
    shape["secondary"] = len(groups[-2]) if len(groups) > 2 else shape["primary"]
    # Some locales leave four-digit amounts ungrouped ("9000"); the sample says which.
    shape["min"] = 1 if shape["group"] and shape["group"] in small else 2
    return shape
