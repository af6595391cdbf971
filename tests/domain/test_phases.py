"""The phase machine of a round."""

from datetime import UTC, datetime, timedelta

import pytest

from pb.domain.phases import (
    PHASES,
    PhaseError,
    check_schedule,
    check_transition,
    due_phase,
    next_phase,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def test_phases_run_in_the_documented_order() -> None:
    assert PHASES == ("draft", "proposals", "review", "deliberation", "voting", "results",
                      "implementation", "closed")
    assert next_phase("voting") == "results"
    assert next_phase("closed") is None


@pytest.mark.parametrize(("current", "target"), [
    ("draft", "proposals"), ("proposals", "voting"), ("voting", "closed")])
def test_moving_forward_is_allowed_even_skipping(current: str, target: str) -> None:
    check_transition(current, target)


def test_going_back_one_phase_needs_a_reason() -> None:
    with pytest.raises(PhaseError, match="public reason"):
        check_transition("voting", "deliberation", "  ")
    check_transition("voting", "deliberation", "The ballot had a typo in a project title.")


@pytest.mark.parametrize(("current", "target", "words"), [
    ("voting", "voting", "already in this phase"),
    ("voting", "proposals", "one phase at a time"),
    ("voting", "polling", "not a phase"),
    ("nowhere", "voting", "not a phase"),
])
def test_refused_transitions_say_why(current: str, target: str, words: str) -> None:
    with pytest.raises(PhaseError, match=words):
        check_transition(current, target, "a long enough reason")


def test_schedule_must_follow_phase_order() -> None:
    check_schedule({"proposals": T0, "voting": T0 + timedelta(days=3)})
    check_schedule({})
    with pytest.raises(PhaseError, match="voting phase must start after the proposals"):
        check_schedule({"proposals": T0, "voting": T0})
    with pytest.raises(PhaseError, match="not a phase"):
        check_schedule({"party": T0})


def test_due_phase_is_the_latest_planned_start_that_has_passed() -> None:
    starts = {"proposals": T0, "review": T0 + timedelta(days=1),
              "deliberation": T0 + timedelta(days=2)}
    assert due_phase("draft", starts, T0 - timedelta(minutes=1)) is None
    assert due_phase("draft", starts, T0) == "proposals"
    assert due_phase("draft", starts, T0 + timedelta(days=1, hours=1)) == "review"
    assert due_phase("review", starts, T0 + timedelta(days=1, hours=1)) is None
