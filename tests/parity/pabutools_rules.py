"""pb's rules as pabutools 1.2.3 calls (as reference.json was computed; see its README)."""

from __future__ import annotations

from pabutools.election import Additive_Cardinal_Sat, AdditiveSatisfaction, Cost_Sat
from pabutools.rules import (
    completion_by_rule_combination,
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
    sequential_phragmen,
)


def _points_cost(instance, profile, ballot, project, precomputed):
    return ballot.get(project, 0) * project.cost


class PointsCostSat(AdditiveSatisfaction):
    """Greedy by total points, as reference.json's points rows were computed."""

    def __init__(self, instance, profile, ballot):
        AdditiveSatisfaction.__init__(self, instance, profile, ballot, _points_cost)


def count_with(instance, profile, points: bool, rule: str) -> list[str]:
    """Return the names of the projects pabutools selects with pb's `rule`, in its order."""
    if points:
        sat, greedy_sat = Additive_Cardinal_Sat, PointsCostSat
    else:
        sat = greedy_sat = Cost_Sat
    mp = profile.as_multiprofile()
    if rule == "greedy":
        result = greedy_utilitarian_welfare(instance, mp, sat_class=greedy_sat)
    elif rule == "mes":
        result = method_of_equal_shares(instance, mp, sat_class=sat)
    elif rule == "mes+add1":
        result = method_of_equal_shares(instance, mp, sat_class=sat, voter_budget_increment=1)
    elif rule == "mes+add1-greedy":
        result = completion_by_rule_combination(
            instance, mp, [method_of_equal_shares, greedy_utilitarian_welfare],
            [{"sat_class": sat, "voter_budget_increment": 1}, {"sat_class": greedy_sat}])
    elif rule == "mes+add1-nostop":
        result = exhaustion_by_budget_increase(
            instance, mp, method_of_equal_shares, {"sat_class": sat},
            budget_step=profile.num_ballots(), exhaustive_stop=False)
    elif rule == "phragmen":
        result = sequential_phragmen(instance, mp)
    else:
        raise ValueError(f"No pabutools counterpart for {rule!r}.")
    return [p.name for p in result]
