"""Money as integer minor units (pence, grosze, cents): parse what people type, format by locale."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from babel.numbers import format_currency, get_currency_precision, list_currencies

from pb.domain.errors import N_, UserError

# A ceiling well above any public budget (ten billion in major units for most currencies) that
# still fits every integer column we use; anything larger is a typing slip, not a budget.
MAX_MAJOR_UNITS = 10_000_000_000

_NUMBER = re.compile(r"^\d+(\.\d+)?$")


class MoneyError(UserError):
    """An amount that cannot be used, with a sentence saying why."""


def minor_digits(currency: str) -> int:
    """Return how many minor-unit digits `currency` has (2 for GBP, 0 for JPY)."""
    return get_currency_precision(currency)


def is_currency(code: str) -> bool:
    """Tell whether `code` is an ISO 4217 currency code that Babel knows."""
    return code in list_currencies()


def parse_amount(text: str, currency: str) -> int:
    """Return the amount typed in `text` (major units, e.g. "£250,000.50") in minor units."""
    cleaned = (text or "").strip().replace(",", "").replace(" ", "").replace("_", "")
    cleaned = cleaned.lstrip("£$€").removesuffix(currency)
    if not cleaned:
        raise MoneyError(N_("Enter an amount, for example 250000."))
    if cleaned.startswith("-"):
        raise MoneyError(N_("The amount cannot be negative."))
    if not _NUMBER.match(cleaned):
        raise MoneyError(N_("Enter the amount as a number, for example 250000 or 250,000.50."))
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern above already rules this out
        raise MoneyError(N_("Enter the amount as a number.")) from None
    digits = minor_digits(currency)
    minor = amount.scaleb(digits)
    if minor != minor.to_integral_value():
        raise MoneyError(N_("%(currency)s amounts have at most %(digits)d decimal places."),
                         currency=currency, digits=digits)
    if amount > MAX_MAJOR_UNITS:
        raise MoneyError(N_("That amount is too large; check the number of zeros."))
    return int(minor)


def to_major(minor: int, currency: str) -> Decimal:
    """Return `minor` units as an exact Decimal in major units."""
    return Decimal(minor).scaleb(-minor_digits(currency))


def format_money(minor: int, currency: str, locale: str = "en_GB") -> str:
    """Format `minor` units for people: "£250,000", or "£12.50" when there are pence."""
    amount = to_major(minor, currency)
    whole = amount == amount.to_integral_value()
    return format_currency(amount, currency, locale=locale,
                           format="¤#,##0" if whole else None,
                           currency_digits=not whole)


def format_input(minor: int, currency: str) -> str:
    """Format `minor` units for an input field: plain digits people can edit ("250000.50")."""
    amount = to_major(minor, currency)
    return str(amount.quantize(Decimal(1))) if amount == amount.to_integral_value() else str(amount)
