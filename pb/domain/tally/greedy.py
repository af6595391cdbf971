"""Greedy counts: fund the most supported projects first while the money lasts."""

from __future__ import annotations

from collections.abc import Iterable

from pb.domain.tally.model import Number, TallyInput
from pb.domain.tally.outcome import Explanation, count, money


def support_noun(data: TallyInput) -> str:
    """Return what support is counted in: "votes" or "points"."""
    return "points" if data.points else "votes"


def greedy_ranking(data: TallyInput, candidates: Iterable[int]) -> list[int]:
    """Order projects by support, highest first; ties go to the smaller id as a string.

    As in pabutools (cost satisfaction, score per unit of cost), a project that costs nothing
    scores 0, so it comes after every supported project; it always fits anyway.
    """
    support, costs, ids = data.support, data.cost_units, data.ids
    return sorted(candidates, key=lambda p: (-(support[p] if costs[p] > 0 else 0), ids[p]))


def run_greedy(data: TallyInput, *, skip: bool = True, threshold: Number | None = None,
               already: Iterable[int] = (), label: str = "greedy",
               ) -> tuple[list[int], dict[int, Explanation]]:
    """Fund projects in ranking order; return the funded indices in order and explanations.

    With `skip` a project that no longer fits is passed over; without it the count stops
    there (greedy-no-skip). Projects with support under `threshold` are left out first.
    `already` lists projects funded by an earlier stage (completion after MES).
    """
    funded_before = set(already)
    left = data.budget_units - sum(data.cost_units[p] for p in funded_before)
    noun = support_noun(data)
    explanations: dict[int, Explanation] = {}
    candidates = []
    for p in range(len(data.ids)):
        if p in funded_before:
            continue
        if threshold is not None and data.support[p] < threshold:
            explanations[p] = _base(data, p, "below_threshold", "below_threshold") | {
                "threshold": threshold,
                "sentence": f"Not funded: it had {count(data.support[p])} {noun}, under the "
                            f"minimum of {count(threshold)} set for this count.",
            }
            continue
        candidates.append(p)
    order: list[int] = []
    stopped_at: int | None = None
    for rank, p in enumerate(greedy_ranking(data, candidates), 1):
        cost = data.cost_units[p]
        info = _base(data, p, "", "") | {"rank": rank}
        if stopped_at is not None:
            explanations[p] = info | {
                "status": "not_funded", "reason": "not_reached",
                "sentence": f"Not funded: with {label}, the count stopped at project "
                            f"{data.ids[stopped_at]}, which did not fit, before its turn "
                            f"(it ranked {rank} with {count(data.support[p])} {noun}).",
            }
            continue
        info["left_when_considered"] = data.money(left)
        if cost <= left:
            left -= cost
            order.append(p)
            explanations[p] = info | {
                "status": "funded", "reason": "funded",
                "sentence": f"Funded: with {label}, it ranked {rank} with "
                            f"{count(data.support[p])} {noun}; "
                            f"{money(info['left_when_considered'], data.currency)} was left "
                            "when its turn came and it costs "
                            f"{money(data.costs[p], data.currency)}.",
            }
            continue
        too_big = cost > data.budget_units
        explanations[p] = info | {
            "status": "not_funded",
            "reason": "costs_more_than_budget" if too_big else "did_not_fit",
            "sentence": (f"Not funded: it costs {money(data.costs[p], data.currency)}, more "
                         f"than the whole budget of {money(data.budget, data.currency)}."
                         if too_big else
                         f"Not funded: with {label}, "
                         f"{money(info['left_when_considered'], data.currency)} was left when "
                         f"its turn came and it costs {money(data.costs[p], data.currency)}."),
        }
        if not skip:
            stopped_at = p
            explanations[p]["reason"] = "stopped_count"
            explanations[p]["sentence"] += " The count stopped here (no skipping)."
    return order, explanations


def _base(data: TallyInput, p: int, status: str, reason: str) -> Explanation:
    return {"status": status, "reason": reason, "support": data.support[p],
            "cost": data.costs[p]}
