"""Sequential Phragmén for approval ballots, exactly as pabutools 1.2.3 computes it.

Voters earn money continuously; a project is bought as soon as its supporters together can pay
for it, which resets their money (their "load" becomes the same). In pabutools' discrete form:
the next project is the one whose supporters' new common load, (their current loads + cost) /
supporters, is smallest; a tie goes to the smaller id as a string. The count stops as soon as
that project (or any project tied with it) would exceed the budget. Projects costing more than
the whole budget are never considered; a project nobody supports has an infinite load.
"""

from __future__ import annotations

from fractions import Fraction

from pb.domain.tally.model import TallyError, TallyInput
from pb.domain.tally.outcome import Explanation, count, money


def run_phragmen(data: TallyInput) -> tuple[list[int], dict[int, Explanation]]:
    """Return the funded projects in buying order and an explanation for every project."""
    if data.points:
        raise TallyError("Phragmén counts approval ballots only; this election uses points.")
    costs, budget = data.cost_units, data.budget_units
    approvals = data.support
    candidates = {p for p in range(len(data.ids)) if costs[p] <= budget}
    supporters: dict[int, list[int]] = {p: [] for p in candidates}
    for g, (projects, _, _) in enumerate(data.groups):
        for p in projects:
            if p in supporters:
                supporters[p].append(g)
    # A group's load is the load set when it last helped buy a project; loads[q] for q.
    last = [-1] * len(data.groups)
    loads: dict[int, Fraction] = {-1: Fraction(0)}
    total = dict.fromkeys(candidates, Fraction(0))  # sum of supporters' loads
    order: list[int] = []
    spent = 0
    stop: tuple[int, Fraction | None] | None = None
    while candidates:
        best: tuple[int, Fraction] | None = None
        ties: list[int] = []
        for p in candidates:
            key = (1, Fraction(0)) if approvals[p] == 0 else (
                0, (total[p] + costs[p]) / approvals[p])
            if best is None or key < best:
                best, ties = key, [p]
            elif key == best:
                ties.append(p)
        assert best is not None
        ties.sort(key=lambda p: data.ids[p])
        if any(spent + costs[p] > budget for p in ties):
            stop = (next(p for p in ties if spent + costs[p] > budget),
                    best[1] if best[0] == 0 else None)
            break
        q = ties[0]
        load = best[1]
        moved: dict[tuple[int, int], int] = {}
        for g in supporters[q]:
            projects, _, mult = data.groups[g]
            for p in projects:
                if p in candidates and p != q:
                    moved[(p, last[g])] = moved.get((p, last[g]), 0) + mult
            last[g] = q
        loads[q] = load
        for (p, before), n in moved.items():
            total[p] += n * (load - loads[before])
        candidates.discard(q)
        order.append(q)
        spent += costs[q]
    return order, _explain(data, order, loads, stop)


def _explain(data: TallyInput, order: list[int], loads: dict[int, Fraction],
             stop: tuple[int, Fraction | None] | None) -> dict[int, Explanation]:
    cur = data.currency
    position = {q: t for t, q in enumerate(order)}
    left = data.budget - sum(data.costs[q] for q in order)
    result: dict[int, Explanation] = {}
    for p in range(len(data.ids)):
        base: Explanation = {"support": data.support[p], "cost": data.costs[p]}
        if p in position:
            load = loads[p] / data.money_scale
            result[p] = base | {
                "status": "funded", "reason": "funded", "round": position[p] + 1,
                "load": load,
                "sentence": f"Funded in round {position[p] + 1} of Phragmén: its "
                            f"{count(data.support[p])} supporters shared its cost, bringing "
                            f"each one's load to {money(load, cur)}.",
            }
        elif data.cost_units[p] > data.budget_units:
            result[p] = base | {
                "status": "not_funded", "reason": "costs_more_than_budget",
                "sentence": f"Not funded: it costs {money(data.costs[p], cur)}, more than the "
                            f"whole budget of {money(data.budget, cur)}.",
            }
        else:
            blocker = data.ids[stop[0]] if stop else None
            result[p] = base | {
                "status": "not_funded", "reason": "count_stopped", "stopped_at": blocker,
                "left": left,
                "sentence": f"Not funded: the count stopped when the next project in line "
                            f"({blocker}) did not fit in the {money(left, cur)} left, before "
                            "this project's turn." if blocker != data.ids[p] else
                            f"Not funded: it was next in line but did not fit in the "
                            f"{money(left, cur)} left, so the count stopped.",
            }
    return result
