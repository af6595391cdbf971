"""Discussion rules: stances, lengths, reasons, depth, the edit window and when it is open."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from pb.domain import discussion as rules
from pb.domain.discussion import DiscussionError


@pytest.mark.parametrize("stance", rules.STANCES)
def test_the_three_stances_are_accepted(stance: str) -> None:
    assert rules.check_stance(stance) == stance


@pytest.mark.parametrize("stance", [None, "", "FOR", "maybe", "for "])
def test_other_stances_are_refused(stance: str | None) -> None:
    with pytest.raises(DiscussionError) as caught:
        rules.check_stance(stance)
    assert caught.value.field == "stance"


@pytest.mark.parametrize("body", [None, "", "   ", "\n\t", "x" * (rules.BODY_MAX + 1)])
def test_empty_and_huge_bodies_are_refused(body: str | None) -> None:
    with pytest.raises(DiscussionError) as caught:
        rules.check_body(body)
    assert caught.value.field == "body"


def test_bodies_are_trimmed_and_may_be_as_long_as_the_limit() -> None:
    assert rules.check_body("  Yes!  ") == "Yes!"
    assert len(rules.check_body("y" * rules.BODY_MAX)) == rules.BODY_MAX


@pytest.mark.parametrize("reason", [None, "", "  a ", "x" * (rules.REASON_MAX + 1)])
def test_reasons_must_be_short_sentences(reason: str | None) -> None:
    with pytest.raises(DiscussionError):
        rules.check_reason(reason)


def test_reasons_are_tidied() -> None:
    assert rules.check_reason("  personal \n attack ") == "personal attack"


@pytest.mark.parametrize("key", [None, "", "short", "x" * 65, "not a key with spaces!!"])
def test_forms_without_a_good_key_are_refused(key: str | None) -> None:
    with pytest.raises(DiscussionError):
        rules.check_form_key(key)


def test_replies_nest_up_to_the_maximum_depth_then_stay_there() -> None:
    assert rules.reply_placement(1, 0, None) == (1, 1)
    assert rules.reply_placement(2, 1, 1) == (2, 2)
    assert rules.reply_placement(3, rules.MAX_DEPTH, 2) == (2, rules.MAX_DEPTH)


def test_the_edit_window() -> None:
    written = datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert rules.may_edit(written, written + rules.EDIT_WINDOW)
    assert not rules.may_edit(written, written + rules.EDIT_WINDOW + timedelta(seconds=1))


@pytest.mark.parametrize("phase", sorted(rules.OPEN_PHASES))
def test_discussion_is_open_while_the_round_is_being_decided(phase: str) -> None:
    rules.check_open(phase, "submitted")


@pytest.mark.parametrize(("phase", "status"), [
    ("results", "feasible"), ("implementation", "feasible"), ("closed", "feasible"),
    ("draft", "submitted"), ("deliberation", "withdrawn"), ("deliberation", "merged"),
    ("proposals", "draft")])
def test_discussion_is_closed_otherwise(phase: str, status: str) -> None:
    with pytest.raises(DiscussionError):
        rules.check_open(phase, status)


def test_rate_limits_say_what_to_do() -> None:
    rules.check_rate(rules.POST_LIMIT - 1, rules.POST_LIMIT, "post")
    with pytest.raises(DiscussionError, match="Wait ten minutes"):
        rules.check_rate(rules.POST_LIMIT, rules.POST_LIMIT, "post")
    with pytest.raises(DiscussionError, match="flagged"):
        rules.check_rate(rules.FLAG_LIMIT, rules.FLAG_LIMIT, "flag")
