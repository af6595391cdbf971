"""Money: parsing what people type and formatting minor units."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pb.domain.money import MoneyError, format_input, format_money, parse_amount


@pytest.mark.parametrize(("typed", "minor"), [
    ("250000", 25_000_000),
    ("250,000", 25_000_000),
    ("£250,000", 25_000_000),
    (" 250 000 ", 25_000_000),
    ("12.5", 1250),
    ("12.50", 1250),
    ("0.01", 1),
    ("250000GBP", 25_000_000),
])
def test_parse_amount_accepts_what_people_type(typed: str, minor: int) -> None:
    assert parse_amount(typed, "GBP") == minor


@pytest.mark.parametrize(("typed", "words"), [
    ("", "Enter an amount"),
    ("-5", "cannot be negative"),
    ("abc", "as a number"),
    ("1e6", "as a number"),
    ("NaN", "as a number"),
    ("12.345", "at most 2 decimal places"),
    ("1.2.3", "as a number"),
    ("99999999999999", "too large"),
])
def test_parse_amount_explains_bad_input(typed: str, words: str) -> None:
    with pytest.raises(MoneyError) as caught:
        parse_amount(typed, "GBP")
    assert words in str(caught.value)


def test_currencies_without_minor_units_refuse_decimals() -> None:
    assert parse_amount("5000", "JPY") == 5000
    with pytest.raises(MoneyError, match="at most 0 decimal places"):
        parse_amount("5000.5", "JPY")


@pytest.mark.parametrize(("minor", "currency", "locale", "shown"), [
    (25_000_000, "GBP", "en_GB", "£250,000"),
    (1250, "GBP", "en_GB", "£12.50"),
    (0, "GBP", "en_GB", "£0"),
    (99_507_900, "PLN", "en_GB", "PLN995,079"),
    (25_000_000, "GBP", "cy_GB", "£250,000"),
    (123_456, "EUR", "de_DE", "1.234,56\xa0€"),
])
def test_format_money(minor: int, currency: str, locale: str, shown: str) -> None:
    assert format_money(minor, currency, locale) == shown


@given(st.integers(min_value=0, max_value=10**12))
def test_input_format_parses_back_to_the_same_amount(minor: int) -> None:
    assert parse_amount(format_input(minor, "GBP"), "GBP") == minor
