"""Lazy evaluation in Equal Shares: the waiting list against evaluating every project.

Both the exact engine (`MesEngine.run`) and the floating-point screen (`MesScreen.order`)
keep each project's last price per unit of utility as a lower bound in a heap ordered by
(bound, rank of the id) and price again only the projects whose bound could still beat the
best one found. That must choose exactly what pricing every project in every round chooses,
ties included (equal prices go to the smaller id as a string). `plain_mes` prices every
live project in every round, voter by voter, in Fractions.
"""

from __future__ import annotations

import contextlib
from fractions import Fraction
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pb.domain.tally import build_input
from pb.domain.tally.mes import MesEngine
from pb.domain.tally.mes_screen import MesScreen, Uncertain
from pb.domain.tally.model import TallyInput
from tests.factories import plain_mes

IDS = ["1", "2", "9", "10", "a", "B", "b"]  # "10" < "9" and "B" < "a" < "b" as strings


@st.composite
def elections(draw: st.DrawFn) -> TallyInput:
    """Small elections where ties are common: few costs, repeated and identical ballots."""
    points = draw(st.booleans())
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=6, unique=True))
    # Few distinct costs, so equal prices (ties) come up often; 0 is a free project.
    costs = {pid: draw(st.sampled_from([0, 6, 12, 12, 30, 60])) for pid in ids}
    ballot = (st.dictionaries(st.sampled_from(ids), st.integers(1, 3), max_size=4) if points
              else st.lists(st.sampled_from(ids), max_size=4, unique=True))
    kinds = draw(st.lists(ballot, min_size=1, max_size=5))
    ballots = [b for b in kinds for _ in range(draw(st.integers(1, 4)))]
    budget = draw(st.integers(1, 120))
    return build_input(costs, budget, ballots, kind="points" if points else "approval")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.integers(0, 30))
def test_lazy_waiting_list_chooses_what_full_evaluation_chooses(data: TallyInput,
                                                                 k: int) -> None:
    engine = MesEngine(data)
    units = data.budget_units + k * engine.unit
    expected, prices = plain_mes(data, Fraction(units, engine.unit))
    run = engine.run(units)
    assert [data.ids[p] for p in run.order] == expected
    assert {data.ids[q]: price / engine.unit for q, price in run.prices.items()} == prices
    try:
        screened = MesScreen(engine).order(units)
    except Uncertain:  # too close to call in floats (exact ties are): the exact run decides
        return
    assert [data.ids[p] for p in screened] == expected


def test_a_three_way_tie_goes_by_id_as_a_string() -> None:
    # Same cost, same supporters: equal prices; the lazy list must still take "10", "9", "a".
    data = build_input({"a": 20, "9": 20, "10": 20}, 60, [["a", "9", "10"]] * 3)
    engine = MesEngine(data)
    expected, _ = plain_mes(data, Fraction(data.budget_units, engine.unit))
    assert expected == ["10", "9", "a"]
    assert [data.ids[p] for p in engine.run(data.budget_units).order] == expected


def test_an_untouched_project_still_wins_a_tie_with_one_priced_again() -> None:
    # "a" (5 supporters) is bought first and leaves one of "9"'s 4 supporters with nothing:
    # "9" now costs its other 3 what "10" costs its 3 untouched supporters. "10"'s bound is
    # still its exact price, equal to "9"'s new one: it must be priced again, and wins the tie.
    data = build_input({"a": 50, "9": 30, "10": 30}, 110,
                       [["a", "9"]] + [["a"]] * 4 + [["9"]] * 3 + [["10"]] * 3)
    engine = MesEngine(data)
    expected, _ = plain_mes(data, Fraction(data.budget_units, engine.unit))
    assert expected == ["a", "10", "9"]
    assert [data.ids[p] for p in engine.run(data.budget_units).order] == expected
    try:
        screened = MesScreen(engine).order(data.budget_units)
    except Uncertain:  # exact ties are left to the exact run
        return
    assert [data.ids[p] for p in screened] == expected


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(elections(), st.integers(0, 30))
def test_the_screens_cheap_bound_never_passes_the_price(data: TallyInput, k: int) -> None:
    """`MesScreen._floor` (the bound that spares pricing a surely dearer project) is at most
    the price `_price` finds, upper end of its error interval included."""
    engine = MesEngine(data)
    screen = MesScreen(engine)
    floor = screen._floor

    def checking(p: int, key: float, money: Any, errors: Any) -> float:
        bound = floor(p, key, money, errors)
        try:
            found = screen._price(p, money, errors)
        except Uncertain:
            return bound
        if found is not None:
            rho, err_rho, _ = found
            assert bound <= (rho + err_rho) / engine.weight[p]
        return bound

    screen._floor = checking  # type: ignore[method-assign]
    with contextlib.suppress(Uncertain):
        screen.order(data.budget_units + k * engine.unit)
