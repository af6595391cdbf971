"""The pure rules of proposals: when they may change, what a review needs, stable order."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pb.domain import proposals as rules
from pb.domain.proposals import ProposalError


def test_submitting_only_in_the_proposals_phase() -> None:
    rules.check_can_submit("proposals")
    with pytest.raises(ProposalError, match="only in the proposals phase"):
        rules.check_can_submit("review")


@pytest.mark.parametrize(("phase", "status", "words"), [
    ("review", "submitted", "only in the proposals phase"),
    ("proposals", "feasible", "can no longer be changed"),
    ("proposals", "withdrawn", "can no longer be changed"),
])
def test_edits_stop_at_review_and_at_decisions(phase: str, status: str, words: str) -> None:
    with pytest.raises(ProposalError, match=words):
        rules.check_can_edit(phase, status)


def test_withdrawing_needs_a_reason_and_stops_at_voting() -> None:
    rules.check_can_withdraw("review", "submitted", "We found another funder.")
    with pytest.raises(ProposalError, match="Say why"):
        rules.check_can_withdraw("proposals", "draft", "   ")
    with pytest.raises(ProposalError, match="can no longer be withdrawn"):
        rules.check_can_withdraw("voting", "submitted", "Too late now.")


@pytest.mark.parametrize(("cost", "words"), [
    (-1, "cannot be negative"), (0, "more than zero"), (25_000_001, "whole budget")])
def test_costs_are_positive_and_within_the_budget(cost: int, words: str) -> None:
    with pytest.raises(ProposalError, match=words):
        rules.check_cost(cost, 25_000_000)


@pytest.mark.parametrize(("outcome", "note", "cost_changed", "merged_into", "words"), [
    ("not_feasible", " ", False, None, "public reason"),
    ("adjusted", "Cheaper supplier found.", False, None, "adjusted cost"),
    ("adjusted", "", True, None, "public note"),
    ("merged", "", False, None, "merged into"),
    ("approved", "", False, None, "decision from the list"),
])
def test_reviews_need_what_each_decision_requires(outcome: str, note: str, cost_changed: bool,
                                                  merged_into: int | None, words: str) -> None:
    with pytest.raises(ProposalError, match=words):
        rules.check_review(outcome, note, "review", "submitted", cost_changed, merged_into)


def test_reviews_stop_when_voting_starts() -> None:
    rules.check_review("feasible", "", "deliberation", "submitted", False, None)
    with pytest.raises(ProposalError, match="only before voting"):
        rules.check_review("feasible", "", "voting", "submitted", False, None)


def test_changes_lists_only_what_changed() -> None:
    before = {"title": "Benches", "cost_minor": 100, "body": "a"}
    after = {"title": "Benches", "cost_minor": 150, "body": "a"}
    assert rules.changes(before, after) == {"cost_minor": {"before": 100, "after": 150}}
    assert rules.text_diff("one\ntwo", "one\nthree") == [
        ("same", "one"), ("removed", "two"), ("added", "three")]


@given(st.text(min_size=1), st.lists(st.integers(min_value=1, max_value=10**6), min_size=2,
                                     max_size=30, unique=True))
def test_random_order_is_stable_per_visitor(seed: str, ids: list[int]) -> None:
    order = sorted(ids, key=lambda i: rules.order_key(seed, i))
    assert order == sorted(reversed(ids), key=lambda i: rules.order_key(seed, i))


def test_random_order_differs_between_visitors() -> None:
    ids = list(range(1, 41))
    orders = {tuple(sorted(ids, key=lambda i: rules.order_key(seed, i)))
              for seed in ("alice", "bob", "carol")}
    assert len(orders) == 3


def test_lists_of_choices_are_trimmed_and_limited() -> None:
    assert rules.parse_choices(" Parks \nParks, Play\n\nRoads") == ["Parks", "Play", "Roads"]
    with pytest.raises(ProposalError, match="at most 30 entries"):
        rules.check_choices([str(i) for i in range(31)], "categories")


# Texts in both languages (issue #17) ---------------------------------------------------------

def _texts(en: dict[str, str], cy: dict[str, str]) -> dict[str, dict[str, str]]:
    return {"en": en, "cy": cy}


def test_a_title_and_summary_in_either_language_is_enough() -> None:
    rules.check_texts(_texts({}, {"title": "Parc", "summary": "Parc bach."}), False,
                      ["en", "cy"])
    with pytest.raises(rules.ProposalError) as error:
        rules.check_texts(_texts({"summary": "A park."}, {}), False, ["en", "cy"])
    assert error.value.field == "title" and "English or Cymraeg" in error.value.template


def test_a_round_in_both_languages_names_the_missing_text_and_language() -> None:
    texts = _texts({"title": "Park", "summary": "A park.", "body": "Trees."},
                   {"title": "Parc", "summary": "Parc bach."})
    rules.check_texts(texts, False, ["en", "cy"])  # otherwise half-translated is fine
    with pytest.raises(rules.ProposalError) as error:
        rules.check_texts(texts, True, ["en", "cy"])
    assert error.value.field == "body_cy"
    assert error.value.template.startswith("Write the full description in Cymraeg too")
    with pytest.raises(rules.ProposalError) as error:
        rules.check_texts(_texts({"summary": "A park."}, {"title": "Parc",
                                                          "summary": "Parc bach."}),
                          True, ["en", "cy"])
    assert error.value.field == "title"
    assert error.value.template.startswith("Write the title in English too")


def test_each_language_is_held_to_the_length_limits() -> None:
    with pytest.raises(rules.ProposalError) as error:
        rules.check_texts(_texts({"title": "Park", "summary": "A park."},
                                 {"title": "P" * (rules.TITLE_MAX + 1)}), False, ["en", "cy"])
    assert error.value.field == "title_cy"


def test_translation_changes_name_the_field_and_language() -> None:
    assert rules.translation_changes(None, {"cy": {"title": "Parc"}}) == \
        {"title_cy": {"before": None, "after": "Parc"}}
    assert rules.translation_changes({"cy": {"title": "Parc", "body": "Coed."}},
                                     {"cy": {"title": "Parc"}}) == \
        {"body_cy": {"before": "Coed.", "after": None}}
    assert rules.translation_changes({"cy": {"title": "Parc"}}, {"cy": {"title": "Parc"}}) \
        == {}
