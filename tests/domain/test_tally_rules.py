"""Hand-made cases for each rule, ties included, and the errors a count can raise."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from pb.domain.tally import TallyError, build_input, parse_rule, tally


def approval(costs, budget, ballots, **kw):
    return build_input(costs, budget, ballots, **kw)


def test_domain_stays_pure() -> None:
    code = ("import sys, pb.domain.tally, pb.domain.pabulib; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'sqlalchemy', 'click', 'babel')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).parents[2])
    assert done.stdout.strip() == "[]"


def test_greedy_skips_what_does_not_fit() -> None:
    data = approval({"a": 60, "b": 50, "c": 40}, 100, [["a"], ["a", "b"], ["b"], ["c"]])
    outcome = tally(data, "greedy")
    # a and b tie on 2 votes: "a" < "b" goes first; b no longer fits; c does.
    assert outcome.selection_order == ("a", "c")
    assert outcome.projects["b"]["reason"] == "did_not_fit"
    assert outcome.projects["b"]["left_when_considered"] == 40
    assert outcome.budget_used == 100


def test_greedy_tie_break_is_string_order() -> None:
    data = approval({"10": 50, "9": 50}, 50, [["9"], ["10"]])
    assert tally(data, "greedy").selected == ("10",)  # "10" < "9" as strings


def test_greedy_no_skip_stops() -> None:
    data = approval({"a": 60, "b": 50, "c": 40}, 100, [["a"], ["a", "b"], ["b"], ["c"]])
    outcome = tally(data, "greedy-no-skip")
    assert outcome.selection_order == ("a",)
    assert outcome.projects["b"]["reason"] == "stopped_count"
    assert outcome.projects["c"]["reason"] == "not_reached"


def test_greedy_threshold() -> None:
    data = approval({"a": 60, "b": 10}, 100, [["a"], ["a"], ["b"]], threshold=2)
    outcome = tally(data, "greedy-threshold")
    assert outcome.selected == ("a",)
    assert outcome.projects["b"]["status"] == "below_threshold"
    with pytest.raises(TallyError, match="minimum score"):
        tally(approval({"a": 1}, 1, [["a"]]), "greedy-threshold")


def test_greedy_points_use_total_points() -> None:
    data = build_input({"a": 50, "b": 50}, 50, [{"a": 1}, {"a": 1}, {"b": 3}], kind="points")
    assert tally(data, "greedy").selected == ("b",)


def test_ordinal_becomes_points() -> None:
    data = build_input({"a": 50, "b": 50, "c": 50}, 50, [["a", "b", "c"], ["b", "c"]],
                       kind="ordinal")
    assert data.support == (3, 4, 2)
    assert tally(data, "greedy").selected == ("b",)


def test_mes_splits_cost_equally() -> None:
    # 4 voters, budget 100: 25 each. x (cost 60) has 3 supporters: 20 each.
    data = approval({"x": 60, "y": 40, "z": 30}, 100, [["x"], ["x"], ["x", "y"], ["z"]])
    outcome = tally(data, "mes")
    assert outcome.selection_order == ("x",)
    assert outcome.projects["x"]["price_per_supporter"] == 20
    assert outcome.projects["z"]["reason"] == "supporters_share_too_small"
    assert outcome.projects["y"]["status"] == "not_funded"


def test_mes_tie_goes_to_smaller_id() -> None:
    data = approval({"b": 50, "a": 50}, 100, [["a"], ["b"]])
    assert tally(data, "mes").selection_order == ("a", "b")


def test_mes_add1_returns_the_last_outcome_that_fits() -> None:
    # At 50 each both projects become affordable together (100 > 50): keep the run before.
    data = approval({"b": 50, "a": 50}, 50, [["a"], ["b"]])
    assert tally(data, "mes+add1").selected == ()
    assert tally(data, "mes+add1-greedy").selected == ("a",)


def test_mes_add1_and_greedy_completion() -> None:
    data = approval({"x": 60, "y": 40, "z": 30}, 100, [["x"], ["x"], ["x", "y"], ["z"]])
    add1 = tally(data, "mes", "add1")
    assert set(add1.selected) <= {"x", "y", "z"}
    assert add1.budget_used <= 100
    completed = tally(data, "mes+add1-greedy")
    assert set(add1.selected) <= set(completed.selected)


def test_mes_zero_cost_projects() -> None:
    # Points utilities: bought first for free. Cost utilities: worth nothing (as pabutools).
    data = build_input({"free": 0, "a": 10}, 10, [{"free": 1, "a": 1}], kind="points")
    outcome = tally(data, "mes")
    assert outcome.selection_order == ("free", "a")
    assert outcome.projects["free"]["reason"] == "funded_free"
    data = approval({"free": 0, "a": 10}, 10, [["free", "a"]])
    assert tally(data, "mes").selection_order == ("a",)
    assert tally(data, "mes+add1-greedy").selection_order == ("a", "free")


def test_phragmen_balances_loads() -> None:
    data = approval({"a": 2, "b": 2, "c": 2}, 4, [["a", "b"], ["a", "b"], ["c"]])
    outcome = tally(data, "phragmen")
    assert outcome.selection_order == ("a", "b")
    assert outcome.projects["a"]["load"] == 1
    assert outcome.projects["b"]["load"] == 2
    assert outcome.projects["c"]["reason"] == "count_stopped"


def test_phragmen_needs_approval() -> None:
    data = build_input({"a": 1}, 1, [{"a": 1}], kind="points")
    with pytest.raises(TallyError, match="approval"):
        tally(data, "phragmen")


def test_exact_decimals() -> None:
    data = approval({"a": "0.1", "b": "0.2"}, "0.3", [["a"], ["b"]])
    outcome = tally(data, "greedy")
    assert outcome.budget_used == Fraction(3, 10)
    assert outcome.selected == ("a", "b")


def test_project_costing_more_than_budget() -> None:
    data = approval({"big": 200, "a": 10}, 100, [["big"], ["big"], ["a"]])
    for rule in ("greedy", "mes+add1", "phragmen"):
        outcome = tally(data, rule)
        assert "big" not in outcome.selected
    assert tally(data, "greedy").projects["big"]["reason"] == "costs_more_than_budget"


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"costs": {"a": 1}, "budget": 0, "ballots": [["a"]]}, "budget"),
    ({"costs": {"a": 1}, "budget": 1, "ballots": []}, "no votes"),
    ({"costs": {"a": 1}, "budget": 1, "ballots": [["zz"]]}, "'zz'"),
    ({"costs": [("a", 1), ("a", 2)], "budget": 1, "ballots": [["a"]]}, "twice"),
    ({"costs": {}, "budget": 1, "ballots": [["a"]]}, "no projects"),
    ({"costs": {"a": -1}, "budget": 1, "ballots": [["a"]]}, "negative"),
    ({"costs": {"a": 1.5}, "budget": 1, "ballots": [["a"]]}, "float"),
])
def test_bad_inputs(kwargs: dict, message: str) -> None:
    with pytest.raises(TallyError, match=message):
        build_input(**kwargs)


def test_rule_names() -> None:
    assert parse_rule("mes+add1") == ("mes", "add1")
    assert parse_rule("mes", "add1-greedy") == ("mes", "add1-greedy")
    with pytest.raises(TallyError, match="Unknown rule"):
        parse_rule("borda")
    with pytest.raises(TallyError, match="does not take"):
        parse_rule("greedy", "add1")


def test_ballot_counting_fast_path_matches_generic() -> None:
    # Tuples of ids are counted in C; lists (and anything else) one by one.
    rows = [("a", "b"), ("b", "a"), ("a",), ("b", "a"), ()]
    fast = approval({"a": 1, "b": 2}, 3, rows)
    slow = approval({"a": 1, "b": 2}, 3, [list(row) for row in rows])
    assert fast.groups == slow.groups
    assert fast.voters == 5
    with pytest.raises(TallyError, match="'zz'"):
        approval({"a": 1}, 1, [("a", "zz")])
    with pytest.raises(TallyError, match="lists of project ids"):
        approval({"a": 1}, 1, ["a"])


def test_json_numbers_and_money_without_finite_decimals() -> None:
    from pb.domain.tally.outcome import json_number, money

    assert json_number(Fraction(1, 8)) == "0.125"
    assert json_number(Fraction(1, 3)) == "1/3"
    # Finite, but longer than format_number writes: kept exact as p/q.
    assert json_number(Fraction(1, 2**70)) == f"1/{2**70}"
    assert money(Fraction(1, 2**70), "EUR") == "about 0.00 EUR"
    assert money(Fraction(10, 3), "EUR") == "about 3.33 EUR"
    assert money(Fraction(25, 2), "EUR") == "12.5 EUR"
