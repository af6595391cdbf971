"""Ballot methods: every raw ballot is either stored in a valid form or refused with a sentence.

The property tests throw random project sets and random (often garbage) ballots at
`check_ballot` and check that whatever it accepts satisfies the method's definition, and that
it never fails with anything but `BallotError`. Ballots built to be valid must be accepted, and
the stored form must check again to itself.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from pb.domain.ballots import (
    MAX_LIMIT,
    SCORE_MAX,
    SCORE_MIN,
    BallotError,
    BallotRules,
    Money,
    check_ballot,
    check_settings,
    cost_of,
)

METHODS = ("approval", "knapsack", "cumulative", "scoring", "ranked")
# No shrinking for the fuzz tests: a failure shows its exception and example at once.
FUZZ = settings(max_examples=80, deadline=None,
                phases=[Phase.explicit, Phase.reuse, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow])
BUILT = settings(max_examples=50, deadline=None,
                 suppress_health_check=[HealthCheck.too_slow])


def needed(rules: BallotRules) -> int:
    """The least a knapsack ballot must cost: ceil(budget * min_spend / 100)."""
    return -(-rules.budget * rules.min_spend // 100)


def assert_sentence(error: BallotError) -> None:
    message = str(error)
    assert message, "an error with no message"
    assert message[0].isupper(), message
    assert message.rstrip().endswith("."), message
    assert "%(" not in message and "%s" not in message, message


# Strategies --------------------------------------------------------------------------------

PROJECT_IDS = st.integers(min_value=1, max_value=400).map(str)
# Number-like text a form or a forged request may carry, including malformed cases.
NUMBERISH = ["", " ", "0", "3", " 4 ", "-2", "+3", "1.5", "1e3", "10", "11", "007", "1000000",
             "abc", "-", "3.0", "--5", "\u00b2", "\u0663", "1_0", "0x10", "nan", "inf"]


@st.composite
def project_sets(draw: st.DrawFn) -> tuple[dict[str, int], tuple[str, ...]]:
    """Projects with costs, and the order they appear on the ballot (any permutation)."""
    costs = draw(st.dictionaries(PROJECT_IDS, st.integers(min_value=0, max_value=5_000_000),
                                 min_size=1, max_size=10))
    order = tuple(draw(st.permutations(sorted(costs))))
    return costs, order


@st.composite
def rules_for(draw: st.DrawFn, method: str) -> BallotRules:
    """Random but legal round settings for `method` (check_settings accepts them)."""
    costs, order = draw(project_sets())
    total = sum(costs.values())
    budget = draw(st.integers(min_value=1, max_value=max(1, 2 * total)))
    limit = draw(st.none() | st.integers(min_value=1, max_value=len(costs) + 2))
    points = max_points = None
    min_spend = 0
    if method == "knapsack":
        min_spend = draw(st.integers(min_value=0, max_value=100))
    if method == "cumulative":
        points = draw(st.integers(min_value=1, max_value=MAX_LIMIT))
        max_points = draw(st.none() | st.integers(min_value=1, max_value=points))
    check_settings(method, limit=limit, points=points, max_points=max_points,
                   min_spend=min_spend)
    return BallotRules(method=method, costs=costs, budget=budget, limit=limit, points=points,
                       max_points=max_points, min_spend=min_spend, order=order,
                       currency=draw(st.sampled_from(["GBP", "EUR", "JPY"])))


def id_likes(rules: BallotRules) -> st.SearchStrategy[Any]:
    """Things that stand for a project: known ids in several spellings, and unknown ones."""
    known = st.sampled_from(sorted(rules.costs))
    return st.one_of(known, known, known.map(int), known.map(lambda pid: f" {pid} "),
                     PROJECT_IDS, st.integers(min_value=-5, max_value=500),
                     st.text(max_size=4))


def scalars(rules: BallotRules) -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(), st.booleans(), st.integers(min_value=-20, max_value=20),
        st.integers(min_value=-10**12, max_value=10**12), st.floats(allow_nan=True),
        st.sampled_from([0.0, 1.0, 2.5, -3.0, 1e300]), st.text(max_size=6),
        st.sampled_from(NUMBERISH), st.binary(max_size=3), id_likes(rules))


def raw_ballots(rules: BallotRules) -> st.SearchStrategy[Any]:
    """Plausible and garbage ballots of every shape."""
    scalar = scalars(rules)
    nested = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3)
                          | st.dictionaries(st.text(max_size=3), inner, max_size=3),
                          max_leaves=6)
    keys = st.one_of(id_likes(rules), st.booleans(), st.none(), st.floats(), st.text(max_size=3))
    numbers = st.one_of(st.integers(min_value=-3, max_value=12), st.sampled_from(NUMBERISH),
                        st.floats(min_value=-5, max_value=15), st.none(), st.booleans())
    return st.one_of(
        nested,
        st.lists(id_likes(rules), max_size=8),                    # pick-style ballots
        st.lists(id_likes(rules), max_size=8).map(tuple),
        st.lists(nested, max_size=4),
        st.dictionaries(id_likes(rules), numbers, max_size=8),    # points / rank ballots
        st.dictionaries(keys, nested, max_size=4),
        st.dictionaries(id_likes(rules), st.booleans(), max_size=8),  # checkbox maps
        st.text(max_size=10), st.binary(max_size=6),
    )


# What an accepted ballot must be -----------------------------------------------------------

def assert_valid(rules: BallotRules, stored: Any) -> None:
    """Check `stored` satisfies the definition of `rules.method`, and round-trips."""
    order = rules.projects
    if rules.method in ("approval", "knapsack", "ranked"):
        assert isinstance(stored, list)
        assert stored, "an empty ballot was accepted"
        assert all(type(pid) is str and pid in rules.costs for pid in stored), stored
        assert len(set(stored)) == len(stored), stored
        if rules.method in ("approval", "ranked") and rules.limit is not None:
            assert len(stored) <= rules.limit
        if rules.method in ("approval", "knapsack"):
            assert stored == sorted(stored, key=order.index)  # ballot order
        if rules.method == "knapsack":
            total = sum(rules.costs[pid] for pid in stored)
            assert total <= rules.budget
            assert total >= needed(rules)
            assert cost_of(rules, stored) == total
    else:
        assert isinstance(stored, dict)
        assert stored, "an empty ballot was accepted"
        assert all(type(pid) is str and pid in rules.costs for pid in stored), stored
        assert all(type(n) is int for n in stored.values()), stored
        assert list(stored) == sorted(stored, key=order.index)
        if rules.method == "cumulative":
            assert all(n > 0 for n in stored.values())
            if rules.max_points is not None:
                assert all(n <= rules.max_points for n in stored.values())
            if rules.points is not None:
                assert sum(stored.values()) <= rules.points
        else:
            assert all(SCORE_MIN <= n <= SCORE_MAX for n in stored.values())
    # The stored form is what the database keeps (JSON) and must check again to itself.
    assert json.loads(json.dumps(stored)) == stored
    assert check_ballot(rules, stored) == stored


def outcome(rules: BallotRules, raw: Any) -> Any:
    """Return the stored form, or None when refused; anything but BallotError fails."""
    try:
        stored = check_ballot(rules, raw)
    except BallotError as error:
        assert_sentence(error)
        return None
    assert_valid(rules, stored)
    return stored


@st.composite
def rules_and_raw(draw: st.DrawFn, method: str) -> tuple[BallotRules, Any]:
    rules = draw(rules_for(method))
    return rules, draw(raw_ballots(rules))


@pytest.mark.parametrize("method", METHODS)
@FUZZ
@given(data=st.data())
def test_any_raw_ballot_is_stored_validly_or_refused_with_a_ballot_error(
        method: str, data: st.DataObject) -> None:
    rules, raw = data.draw(rules_and_raw(method))
    outcome(rules, raw)


@pytest.mark.parametrize("method", ("approval", "knapsack", "ranked"))
@FUZZ
@given(data=st.data())
def test_pick_lists_are_stored_exactly_when_they_follow_the_rules(
        method: str, data: st.DataObject) -> None:
    """For lists of project ids, the decision matches the method's definition exactly."""
    rules = data.draw(rules_for(method))
    raw = data.draw(st.lists(id_likes(rules), max_size=8))
    ids = [str(pid).strip() for pid in raw]
    total = sum(rules.costs.get(pid, 0) for pid in ids)
    acceptable = (
        bool(ids) and len(set(ids)) == len(ids) and all(pid in rules.costs for pid in ids)
        and (method == "knapsack" or rules.limit is None or len(ids) <= rules.limit)
        and (method != "knapsack" or needed(rules) <= total <= rules.budget))
    stored = outcome(rules, raw)
    assert (stored is not None) == acceptable, (raw, stored)
    if stored is not None:
        assert sorted(stored) == sorted(ids)
        if method == "ranked":
            assert stored == ids  # first choice first, as sent


@pytest.mark.parametrize("method", ("cumulative", "scoring"))
@FUZZ
@given(data=st.data())
def test_point_maps_are_stored_exactly_when_they_follow_the_rules(
        method: str, data: st.DataObject) -> None:
    rules = data.draw(rules_for(method))
    raw = data.draw(st.dictionaries(st.sampled_from(sorted(rules.costs)),
                                    st.integers(min_value=-3, max_value=1100), max_size=10))
    given_ = {pid: n for pid, n in raw.items() if n != 0}
    if method == "cumulative":
        acceptable = (bool(given_) and all(n > 0 for n in given_.values())
                      and (rules.max_points is None
                           or all(n <= rules.max_points for n in given_.values()))
                      and sum(given_.values()) <= (rules.points or 0))
    else:
        acceptable = bool(given_) and all(SCORE_MIN <= n <= SCORE_MAX for n in given_.values())
    stored = outcome(rules, raw)
    assert (stored is not None) == acceptable, (raw, stored)
    if stored is not None:
        assert stored == given_


# Valid ballots, built to be valid, are accepted ---------------------------------------------

def spellings(pid: str) -> st.SearchStrategy[Any]:
    return st.sampled_from([pid, int(pid), f" {pid}", f"{pid} "])


@BUILT
@given(data=st.data())
def test_approval_ballots_within_the_limit_are_accepted(data: st.DataObject) -> None:
    rules = data.draw(rules_for("approval"))
    most = len(rules.costs) if rules.limit is None else min(rules.limit, len(rules.costs))
    picks = data.draw(st.lists(st.sampled_from(sorted(rules.costs)), min_size=1, max_size=most,
                               unique=True))
    raw: Any = [data.draw(spellings(pid)) for pid in picks]
    if data.draw(st.booleans()):  # a checkbox map: ticked projects are true
        raw = {pid: True for pid in picks} | {pid: False for pid in rules.costs
                                              if pid not in picks}
    stored = check_ballot(rules, raw)
    assert stored == sorted(picks, key=rules.projects.index)
    assert_valid(rules, stored)


@BUILT
@given(data=st.data())
def test_knapsack_ballots_within_the_budget_are_accepted(data: st.DataObject) -> None:
    costs, order = data.draw(project_sets())
    picks = data.draw(st.lists(st.sampled_from(sorted(costs)), min_size=1, unique=True))
    total = sum(costs[pid] for pid in picks)
    budget = max(1, total + data.draw(st.integers(min_value=0, max_value=10**6)))
    # The largest share of the budget this ballot still meets.
    min_spend = data.draw(st.integers(min_value=0, max_value=100 * total // budget))
    rules = BallotRules("knapsack", costs, budget, min_spend=min_spend, order=order)
    stored = check_ballot(rules, [data.draw(spellings(pid)) for pid in picks])
    assert stored == sorted(picks, key=order.index)
    assert_valid(rules, stored)


@BUILT
@given(data=st.data())
def test_cumulative_ballots_within_the_points_are_accepted(data: st.DataObject) -> None:
    costs, order = data.draw(project_sets())
    chosen = data.draw(st.dictionaries(st.sampled_from(sorted(costs)),
                                       st.integers(min_value=1, max_value=60), min_size=1))
    points = min(MAX_LIMIT, sum(chosen.values()) + data.draw(st.integers(0, 50)))
    cap = data.draw(st.none() | st.integers(min_value=max(chosen.values()), max_value=points))
    check_settings("cumulative", limit=None, points=points, max_points=cap, min_spend=0)
    rules = BallotRules("cumulative", costs, 100, points=points, max_points=cap, order=order)
    raw: dict[Any, Any] = {
        data.draw(spellings(pid)): data.draw(st.sampled_from([n, str(n), float(n), f" {n} "]))
        for pid, n in chosen.items()}
    for pid in costs:  # projects left blank or at zero are simply not chosen
        if pid not in chosen:
            raw[pid] = data.draw(st.sampled_from([0, "", " ", None, "0"]))
    stored = check_ballot(rules, raw)
    assert stored == {pid: chosen[pid] for pid in order if pid in chosen}
    assert_valid(rules, stored)


@BUILT
@given(data=st.data())
def test_scoring_ballots_from_1_to_10_are_accepted(data: st.DataObject) -> None:
    costs, order = data.draw(project_sets())
    scores = data.draw(st.dictionaries(st.sampled_from(sorted(costs)),
                                       st.integers(min_value=SCORE_MIN, max_value=SCORE_MAX),
                                       min_size=1))
    raw: dict[str, Any] = {pid: data.draw(st.sampled_from([n, str(n)]))
                           for pid, n in scores.items()}
    raw |= {pid: data.draw(st.sampled_from(["", None, 0])) for pid in costs if pid not in scores}
    rules = BallotRules("scoring", costs, 100, order=order)
    stored = check_ballot(rules, raw)
    assert stored == {pid: scores[pid] for pid in order if pid in scores}
    assert_valid(rules, stored)


@BUILT
@given(data=st.data(), as_ranks=st.booleans())
def test_ranked_ballots_as_lists_and_as_ranks_are_accepted(data: st.DataObject,
                                                           as_ranks: bool) -> None:
    rules = data.draw(rules_for("ranked"))
    most = len(rules.costs) if rules.limit is None else min(rules.limit, len(rules.costs))
    ranking = data.draw(st.lists(st.sampled_from(sorted(rules.costs)), min_size=1,
                                 max_size=most, unique=True))
    if as_ranks:
        raw: Any = {pid: data.draw(st.sampled_from([rank, str(rank), float(rank)]))
                    for rank, pid in enumerate(ranking, start=1)}
        raw |= {pid: "" for pid in rules.costs if pid not in raw}  # unranked: left blank
    else:
        raw = [data.draw(spellings(pid)) for pid in ranking]
    stored = check_ballot(rules, raw)
    assert stored == ranking
    assert_valid(rules, stored)


# Each refusal, with its sentence -----------------------------------------------------------

COSTS = {"1": 10_000, "2": 20_000, "3": 30_000, "4": 40_000}
ORDER = ("1", "2", "3", "4")


def rules(method: str, **fields: Any) -> BallotRules:
    return BallotRules(method=method, costs=COSTS, order=ORDER,
                       **{"budget": 60_000, **fields})


def refusal(ballot_rules: BallotRules, raw: Any) -> BallotError:
    with pytest.raises(BallotError) as caught:
        check_ballot(ballot_rules, raw)
    assert_sentence(caught.value)
    return caught.value


@pytest.mark.parametrize(("ballot_rules", "raw", "words"), [
    (rules("approval", limit=2), ["1", "2", "3"],
     "You have chosen 3 projects; choose at most 2."),
    (rules("approval"), ["1", "9"], "not a project on this ballot"),
    (rules("approval"), ["1", 1], "Each project can be chosen only once."),
    (rules("approval"), "1,2", "Send your choices as a list of projects."),
    (rules("approval"), [["1"]], "Send your choices as a list of projects."),
    (rules("approval"), [True], "Send your choices as a list of projects."),
    (rules("approval"), [1.0], "Send your choices as a list of projects."),
    (rules("approval"), None, "Send your choices as a list of projects."),
    (rules("knapsack"), ["3", "4"], "more than the budget of"),
    (rules("knapsack", min_spend=50), ["1"], "use at least"),
    (rules("knapsack"), ["2", "2"], "Each project can be chosen only once."),
    (rules("cumulative", points=10, max_points=6), {"1": 6, "2": 6},
     "You have given 12 points; you have 10 to spread. Take 2 away."),
    (rules("cumulative", points=10, max_points=5), {"1": 6},
     "Give at most 5 points to one project."),
    (rules("cumulative", points=10), {"1": 5, "2": -1}, "Points cannot be negative."),
    (rules("cumulative", points=10), {"1": 1.5}, "Give each project a whole number."),
    (rules("cumulative", points=10), {"1": "three"}, "Give each project a whole number."),
    (rules("cumulative", points=10), {"1": True}, "Give each project a whole number."),
    (rules("cumulative", points=10), {"1": [3]}, "Give each project a whole number."),
    (rules("cumulative", points=10), {"1": float("nan")}, "Give each project a whole number."),
    (rules("cumulative", points=10), ["1", "2"],
     "Send your choices as projects with a number for each."),
    (rules("cumulative", points=10), {(1,): 3},
     "Send your choices as projects with a number for each."),
    (rules("cumulative", points=10), {"7": 3}, "not a project on this ballot"),
    (rules("scoring"), {"1": 11}, "Scores go from 1 to 10"),
    (rules("scoring"), {"1": -1}, "Scores go from 1 to 10"),
    (rules("scoring"), {"1": 5, "x": 5}, "not a project on this ballot"),
    (rules("ranked"), {"1": 1, "2": 1}, "Each rank can be given to only one project."),
    (rules("ranked"), {"1": 1, "2": 3}, "Number your choices 1, 2, 3… without leaving a gap."),
    (rules("ranked"), {"1": 2}, "Number your choices 1, 2, 3… without leaving a gap."),
    (rules("ranked"), {"1": 1, "2": -2}, "Ranks start at 1 for your first choice."),
    (rules("ranked"), ["2", "1", "2"], "Each project can be ranked only once."),
    (rules("ranked", limit=2), ["3", "1", "2"], "You have ranked 3 projects; rank at most 2."),
    (rules("ranked", limit=1), {"3": 1, "1": 2}, "You have ranked 2 projects; rank at most 1."),
    (rules("ranked"), ["1", "5"], "not a project on this ballot"),
    (rules("ranked"), {"5": 1}, "not a project on this ballot"),
    (rules(""), ["1"], "This round has no ballot method set; ask the organisers."),
    (rules("plurality"), ["1"], "This round has no ballot method set; ask the organisers."),
])
def test_each_refusal_says_what_to_change(ballot_rules: BallotRules, raw: Any,
                                          words: str) -> None:
    assert words in str(refusal(ballot_rules, raw))


@pytest.mark.parametrize(("method", "raw"), [
    *[(method, []) for method in ("approval", "knapsack", "ranked")],
    *[(method, {}) for method in METHODS],
    *[(method, {"1": 0, "2": "", "3": None}) for method in METHODS],
    ("approval", {"1": False}), ("knapsack", {"2": False}),
])
def test_an_empty_ballot_is_refused(method: str, raw: Any) -> None:
    error = refusal(rules(method, points=10), raw)
    assert str(error) == "Choose at least one project before you submit your ballot."


def test_knapsack_refusals_carry_the_amounts_as_money() -> None:
    over = refusal(rules("knapsack", currency="EUR"), ["3", "4"])
    assert over.params["total"] == 70_000 and over.params["budget"] == 60_000
    assert all(isinstance(over.params[k], Money) and over.params[k].currency == "EUR"
               for k in ("total", "budget"))
    under = refusal(rules("knapsack", budget=60_001, min_spend=50), ["1", "2"])
    # 50% of 60,001 is 30,000.5: the ballot must reach 30,001, so 30,000 is not enough.
    assert under.params["needed"] == 30_001 and under.params["total"] == 30_000
    assert check_ballot(rules("knapsack", budget=60_001, min_spend=50), ["1", "3"]) == ["1", "3"]


def test_the_knapsack_bounds_are_inclusive() -> None:
    assert check_ballot(rules("knapsack", budget=60_000, min_spend=100), ["2", "4"]) == \
        ["2", "4"]
    assert check_ballot(rules("knapsack", budget=60_000), ["4", "2"]) == ["2", "4"]


def test_cumulative_points_can_be_spent_exactly_and_stored_in_ballot_order() -> None:
    cumulative = rules("cumulative", points=10, max_points=5)
    assert check_ballot(cumulative, {"3": "5", 1: 5.0, "2": 0}) == {"1": 5, "3": 5}


def test_ranked_ranks_become_a_list_first_choice_first() -> None:
    assert check_ballot(rules("ranked"), {"4": 1, "2": "3", "1": 2, "3": ""}) == \
        ["4", "1", "2"]


@pytest.mark.parametrize("typed", ["--5", "\u00b2", "-\u00b2"])
@pytest.mark.parametrize("method", ("cumulative", "scoring", "ranked"))
def test_malformed_number_text_is_a_ballot_error(method: str, typed: str) -> None:
    """Number-like text int() cannot read must be refused like any other non-number."""
    error = refusal(rules(method, points=10), {"1": typed})
    assert str(error) == "Give each project a whole number."


# Round settings ----------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "fields", "words"), [
    ("approval", {"limit": 0}, "Use numbers from 1 to 1000"),
    ("approval", {"limit": MAX_LIMIT + 1}, "Use numbers from 1 to 1000"),
    ("ranked", {"limit": -3}, "Use numbers from 1 to 1000"),
    ("cumulative", {"points": 0}, "Use numbers from 1 to 1000"),
    ("cumulative", {"points": 10, "max_points": 0}, "Use numbers from 1 to 1000"),
    ("knapsack", {"min_spend": -1}, "percentage from 0 to 100"),
    ("knapsack", {"min_spend": 101}, "percentage from 0 to 100"),
    ("cumulative", {}, "Say how many points each voter spreads."),
    ("cumulative", {"points": 10, "max_points": 11}, "cannot be more than the points"),
])
def test_settings_without_a_sensible_ballot_are_refused(method: str, fields: dict[str, Any],
                                                        words: str) -> None:
    settings_ = {"limit": None, "points": None, "max_points": None, "min_spend": 0, **fields}
    with pytest.raises(BallotError) as caught:
        check_settings(method, **settings_)
    assert words in str(caught.value)
    assert_sentence(caught.value)


@settings(max_examples=200, deadline=None)
@given(method=st.sampled_from(METHODS),
       limit=st.none() | st.integers(min_value=-2, max_value=MAX_LIMIT + 2),
       points=st.none() | st.integers(min_value=-2, max_value=MAX_LIMIT + 2),
       max_points=st.none() | st.integers(min_value=-2, max_value=MAX_LIMIT + 2),
       min_spend=st.integers(min_value=-2, max_value=102))
def test_settings_are_accepted_exactly_when_sensible(method: str, limit: int | None,
                                                     points: int | None,
                                                     max_points: int | None,
                                                     min_spend: int) -> None:
    in_range = all(v is None or 1 <= v <= MAX_LIMIT for v in (limit, points, max_points))
    sensible = in_range and 0 <= min_spend <= 100 and (
        method != "cumulative"
        or (points is not None and (max_points is None or max_points <= points)))
    try:
        check_settings(method, limit=limit, points=points, max_points=max_points,
                       min_spend=min_spend)
    except BallotError as error:
        assert_sentence(error)
        assert not sensible
    else:
        assert sensible
