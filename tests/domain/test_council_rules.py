"""Comply or explain: the rules for responses, statuses, overdue days and figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from pb.domain import council as rules
from pb.domain.council import ResponseError, check_response, days_overdue, figures, status

TODAY = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
GOOD = "x" * rules.MIN_REASONS


@pytest.mark.parametrize(("outcome", "reasons", "until", "field", "words"), [
    ("maybe", GOOD, None, "outcome", "Choose a response"),
    ("not_accepted", "", None, "reasons", "Give the reasons"),
    ("partly", "   ", None, "reasons", "Give the reasons"),
    ("not_accepted", "Too dear.", None, "reasons", "at least 40 characters"),
    ("deferred", GOOD, None, "deferred_until", "by which date"),
    ("deferred", GOOD, TODAY, "deferred_until", "in the future"),
    ("accepted", "", TODAY + timedelta(days=3), "deferred_until", "Only a deferred"),
    ("not_accepted", "x" * 5001, None, "reasons", "at most 5000"),
])
def test_bad_responses_are_refused_with_the_field(outcome: str, reasons: str, until: date | None,
                                                  field: str, words: str) -> None:
    with pytest.raises(ResponseError) as caught:
        check_response(outcome, reasons, until, TODAY)
    assert caught.value.field == field and words in str(caught.value)


@pytest.mark.parametrize(("outcome", "reasons", "until"), [
    ("accepted", "", None),
    ("partly", GOOD, None),
    ("not_accepted", GOOD, None),
    ("deferred", GOOD, TODAY + timedelta(days=1)),
])
def test_good_responses_pass(outcome: str, reasons: str, until: date | None) -> None:
    check_response(outcome, reasons, until, TODAY)


def test_status_and_overdue_days() -> None:
    due = NOW - timedelta(days=3, hours=2)
    assert status(None, None, NOW + timedelta(days=1), NOW) == "awaiting"
    assert status(None, None, due, NOW) == "overdue" and days_overdue(None, None, due, NOW) == 3
    assert days_overdue(None, None, NOW - timedelta(hours=1), NOW) == 1
    assert status("accepted", None, due, NOW) == "accepted"
    assert days_overdue("accepted", None, due, NOW) == 0
    assert status("deferred", TODAY, due, NOW) == "deferred"
    late = TODAY - timedelta(days=4)
    assert status("deferred", late, due, NOW) == "overdue"
    assert days_overdue("deferred", late, due, NOW) == 4


def test_figures_count_shares_and_the_median() -> None:
    result = figures([("accepted", 10.0), ("accepted", 20.0), ("not_accepted", 40.0),
                      ("overdue", None)])
    assert result.total == 4 and result.counts["accepted"] == 2
    assert result.share("accepted") == 0.5 and result.share("overdue") == 0.25
    assert result.median_days == 20.0
    assert figures([]).median_days is None and figures([]).share("accepted") == 0.0
