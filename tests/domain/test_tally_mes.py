"""The fast Equal Shares engine against a plain, voter-by-voter version of the same rule.

The engine groups voters into classes, caches class histograms per set of bought projects
across add1 reruns, orders its waiting list by floats and replays explanations per class. The
plain version below does none of that: every voter, every project, every round, in Fractions.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from pb.domain.tally import build_input, mes, tally
from pb.domain.tally.mes import MesEngine, equal_shares
from pb.domain.tally.mes_explain import explain_mes
from pb.domain.tally.model import TallyInput
from tests.factories import plain_mes


def random_input(rng: random.Random, points: bool) -> TallyInput:
    ids = rng.sample(["1", "2", "10", "9", "a", "b", "B", "x", "y", "z"], rng.randint(1, 8))
    costs = {pid: rng.choice([0, rng.randint(1, 9), rng.randint(5, 60)]) for pid in ids}
    ballots: list = []
    for _ in range(rng.randint(1, 12)):
        if ballots and rng.random() < 0.3:
            ballots.append(ballots[-1])  # identical ballots share a group
            continue
        chosen = rng.sample(ids, rng.randint(0, min(4, len(ids))))
        ballots.append({p: rng.randint(1, 3) for p in chosen} if points else chosen)
    return build_input(costs, rng.randint(1, 80), ballots,
                       kind="points" if points else "approval")


def engine_result(engine: MesEngine, units: int) -> tuple[list[str], dict[str, Fraction]]:
    run = engine.run(units)
    data = engine.data
    return ([data.ids[p] for p in run.order],
            {data.ids[q]: price / engine.unit for q, price in run.prices.items()})


@pytest.mark.parametrize("points", [False, True])
@pytest.mark.parametrize("seed", range(6))
def test_engine_matches_plain_mes_over_many_budgets(points: bool, seed: int) -> None:
    rng = random.Random(seed * 2 + points)
    for _ in range(40):
        data = random_input(rng, points)
        engine = MesEngine(data)
        base = data.budget_units
        # add1-style increasing budgets reuse cached classes; then a few in any order.
        steps = list(range(6)) + rng.sample(range(40), 5)
        for k in steps:
            units = base + k * engine.unit
            share = Fraction(units, engine.unit)
            assert engine_result(engine, units) == plain_mes(data, share), (data, k)


def test_ties_go_to_the_smaller_id_as_a_string() -> None:
    # Same cost, same supporters: "10" < "9" as strings.
    data = build_input({"9": 30, "10": 30}, 60, [["9", "10"]] * 3)
    assert tally(data, "mes").selection_order == ("10", "9")


def test_classes_split_by_points() -> None:
    # Two supporters of c with different points pay different amounts, then hold
    # different money: the engine must keep them apart.
    data = build_input({"c": 30, "d": 20, "e": 25}, 60,
                       [{"c": 1, "d": 2}, {"c": 3, "d": 1}, {"e": 2, "d": 1}], kind="points")
    engine = MesEngine(data)
    for k in range(5):
        units = data.budget_units + k * engine.unit
        assert engine_result(engine, units) == plain_mes(data, Fraction(units, engine.unit))


def plain_explanations(engine: MesEngine, units: int) -> dict[str, dict]:
    """Replay a run voter by voter in Fractions (what the explanations must say)."""
    data, run = engine.data, engine.run(units)
    prices = run.prices
    step = {q: t for t, q in enumerate(run.bought)}
    paid: list[tuple[int, dict[int, Fraction]]] = []
    full = dict.fromkeys(run.bought, 0)
    for projects, sats, mult in data.groups:
        held, pays = Fraction(units), {}
        for q, s in sorted(((q, s) for q, s in zip(projects, sats, strict=True) if q in step),
                           key=lambda item: step[item[0]]):
            due = prices[q] * s
            pays[q] = min(held, due)
            full[q] += mult if pays[q] == due else 0
            held -= pays[q]
        paid.append((mult, pays))
    result: dict[str, dict] = {}
    for p, pid in enumerate(data.ids):
        if p in prices:
            result[pid] = {"paid_in_full": full[p]}
            continue
        fans = [g for g, (projects, _, _) in enumerate(data.groups) if p in projects]
        held = Fraction(units * sum(data.groups[g][2] for g in fans), engine.unit)
        cost, start = data.costs[p], held
        dropped, taken = None, {}
        for q in run.bought if held >= cost else []:
            drop = sum(paid[g][0] * paid[g][1].get(q, 0) for g in fans) / engine.unit
            if drop:
                held -= drop
                taken[data.ids[q]] = drop
                if held < cost:
                    dropped = data.ids[q]
                    break
        top = sorted(taken.items(), key=lambda item: (-item[1], item[0]))[:3]
        result[pid] = {"held_at_start": start, "held_when_dropped": held,
                       "dropped_after": dropped, "spent_on": dict(top)}
    return result


@pytest.mark.parametrize("points", [False, True])
def test_explanations_match_a_voter_by_voter_replay(points: bool) -> None:
    rng = random.Random(7 + points)
    for _ in range(60):
        data = random_input(rng, points)
        engine = MesEngine(data)
        for k in (0, 1, 3):
            units = data.budget_units + k * engine.unit
            explained = explain_mes(engine, engine.run(units))
            for pid, expected in plain_explanations(engine, units).items():
                got = explained[data.index[pid]]
                if got["reason"] in ("zero_utility", "no_support", "funded_free"):
                    continue
                assert {key: got[key] for key in expected} == expected, (data, k, pid)


def test_explaining_an_old_run_reruns_it() -> None:
    # Only the latest runs keep their class money; an older one is run again to explain it.
    rng = random.Random(3)
    for _ in range(20):
        data = random_input(rng, points=False)
        engine = MesEngine(data)
        first = engine.run(data.budget_units)
        for k in range(1, 5):
            engine.run(data.budget_units + k * engine.unit)
        assert not first.path and not first.budgets
        fresh = MesEngine(data)
        assert explain_mes(engine, first) == explain_mes(fresh, fresh.run(data.budget_units))


def bigger_input(rng: random.Random, points: bool) -> TallyInput:
    """An election with enough voters and spread-out costs that few steps are exact ties."""
    ids = [str(i) for i in range(rng.randint(3, 14))]
    costs = {pid: rng.choice([rng.randint(1, 50), rng.randint(100, 5000)]) for pid in ids}
    ballots: list = []
    for _ in range(rng.randint(20, 150)):
        chosen = rng.sample(ids, rng.randint(0, min(6, len(ids))))
        ballots.append({p: rng.randint(1, 5) for p in chosen} if points else chosen)
    budget = rng.randint(sum(costs.values()) // 4, sum(costs.values()))
    return build_input(costs, budget, ballots, kind="points" if points else "approval")


@pytest.mark.parametrize("points", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_screened_reruns_give_the_exact_orders(points: bool, seed: int) -> None:
    """Floating-point screening of add1 reruns: every order is the exact engine's."""
    from pb.domain.tally.mes_screen import MesScreen, Uncertain  # noqa: PLC0415

    rng = random.Random(100 + seed * 2 + points)
    screened = 0
    for _ in range(15):
        for data in (bigger_input(rng, points), random_input(rng, points)):
            engine = MesEngine(data)
            screen = MesScreen(engine)
            for k in range(0, 60, 3):
                units = data.budget_units + k * engine.unit
                try:
                    order = screen.order(units)
                except Uncertain:
                    continue
                screened += 1
                assert order == engine.run(units).order, (data, k)
    assert screened > 100  # most runs are decided in floating point


@pytest.mark.parametrize("points", [False, True])
@pytest.mark.parametrize("seed", range(4))
def test_runs_sharing_a_richer_runs_rounds_give_the_exact_orders(points: bool,
                                                                 seed: int) -> None:
    """`order_below`, chained down from a traced run as add1's blocks are: every order is the
    exact engine's, and the sharing happens (rounds taken from the run above)."""
    from pb.domain.tally.mes_screen import MesScreen, Uncertain  # noqa: PLC0415

    rng = random.Random(500 + seed * 2 + points)
    checked = shared = 0
    for _ in range(12):
        data = bigger_input(rng, points)
        engine = MesEngine(data)
        screen = MesScreen(engine)
        top = data.budget_units + rng.randint(5, 40) * engine.unit
        try:
            order, above = screen.traced(top)
        except Uncertain:
            continue
        assert order == engine.run(top).order, data
        for units in range(top - engine.unit, max(top - 12 * engine.unit, 0), -engine.unit):
            try:
                order, trace = screen.order_below(units, above)
            except Uncertain:
                break
            checked += 1
            assert order == engine.run(units).order, (data, top, units)
            assert trace.bought == order[len(engine.free):]
            shared += sum(a is b for a, b in zip(trace.waiting, above.waiting, strict=False))
            above = trace
    assert checked > 60
    assert shared > checked  # most runs take more than one round from the run above


@pytest.mark.parametrize("completion", ["add1", "add1-nostop"])
@pytest.mark.parametrize("points", [False, True])
def test_screening_does_not_change_the_outcome(completion: str, points: bool,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(mes, "SCREEN_FROM", 0)  # screen these small elections too
    rng = random.Random(7 + points)
    screened = 0
    for _ in range(25):
        data = bigger_input(rng, points)
        engine = MesEngine(data)
        fast, fast_info = equal_shares(engine, completion)
        screened += engine.screened
        slow, slow_info = equal_shares(MesEngine(data), completion, screen=False)
        assert (fast.voter_budget, fast.order, fast_info) == \
            (slow.voter_budget, slow.order, slow_info)
    assert screened > 50
