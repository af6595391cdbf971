"""LEXIMIN over types of volunteer: the same chances, computed on hundreds of variables
instead of thousands.

Volunteers who gave the same answer to every feature are interchangeable under the quotas,
and the LEXIMIN chances are unique, so they all get the same chance. The stages of
`fair.leximin` can therefore run over *types* (one per combination of answers that occurs)
and over *profiles* (how many seats each type holds on a panel) rather than over volunteers
and panels of people:

- a type t with n_t volunteers that holds c_t seats on average has chance E[c_t] / n_t;
- the integer program that finds the next profile has one variable per type, bounded by n_t,
  whatever the size of the pool (at most the product of the features' category counts);
- a profile becomes panels of people in the lottery: each type's seats across the listed
  panels go to its volunteers in turn, so each volunteer sits on as many listed panels as
  any other of their type, give or take one.

Each stage is the library's (see `fair`): the dual program gives each unfixed type a weight,
the pricing program finds the profile that most violates it, and types whose weight stays
positive at the optimum are fixed at the stage's value.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import highspy
import numpy as np

from pb.domain.sortition.quotas import Quotas, SortitionError, Volunteer

EPS = 0.0005          # the library's tolerance for a violated panel and a positive weight
EPS2 = 1e-8           # weights below this are dropped (the library's standardisation)
RELAX = 1e-6


@dataclass(frozen=True)
class Types:
    """The pool grouped by answers: each type's categories and its volunteers' numbers."""

    answers: tuple[tuple[str, ...], ...]
    members: tuple[tuple[int, ...], ...]

    @property
    def sizes(self) -> list[int]:
        return [len(m) for m in self.members]


def group(quotas: Quotas, pool: Sequence[Volunteer]) -> Types:
    """Group `pool` by their answers (in the quotas' feature order), types in a fixed order."""
    names = [f.name for f in quotas.features]
    found: dict[tuple[str, ...], list[int]] = {}
    for volunteer in pool:
        found.setdefault(tuple(volunteer.categories[n] for n in names), []).append(
            volunteer.number)
    keys = sorted(found)
    return Types(tuple(keys), tuple(tuple(sorted(found[k])) for k in keys))


class Pricing:
    """The integer program over profiles: c_t seats for type t, 0 ≤ c_t ≤ n_t, Σ c_t = seats,
    and every category's seats within its quota. `best(weights)` maximises Σ w_t c_t."""

    def __init__(self, quotas: Quotas, types: Types, seats: int) -> None:
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("mip_rel_gap", 0.0)
        count = len(types.members)
        for size in types.sizes:
            h.addCol(0.0, 0.0, float(size), 0, [], [])
        h.changeColsIntegrality(count, np.arange(count, dtype=np.int32),
                                np.full(count, highspy.HighsVarType.kInteger))
        h.addRow(seats, seats, count, np.arange(count, dtype=np.int32), np.ones(count))
        for f, feature in enumerate(quotas.features):
            for category in feature.categories:
                columns = [t for t, answer in enumerate(types.answers)
                           if answer[f] == category.name]
                h.addRow(category.minimum, category.maximum, len(columns),
                         np.array(columns, dtype=np.int32), np.ones(len(columns)))
        h.changeObjectiveSense(highspy.ObjSense.kMaximize)
        self.h, self.count = h, count

    def best(self, weights: Sequence[float]) -> tuple[tuple[int, ...], float] | None:
        """Return the profile with the largest Σ w_t c_t and that sum, or None if no profile
        keeps the quotas."""
        self.h.changeColsCost(self.count, np.arange(self.count, dtype=np.int32),
                              np.asarray(weights, dtype=float))
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        values = self.h.getSolution().col_value
        profile = tuple(int(round(v)) for v in values[:self.count])
        return profile, float(sum(w * c for w, c in zip(weights, profile, strict=True)))


class _Stage:
    """One stage's dual program over the profiles found so far (the library's
    `_dual_leximin_stage`, with a profile's constraint Σ_t y_t c_t / n_t ≤ ŷ)."""

    def __init__(self, sizes: Sequence[int], profiles: Sequence[tuple[int, ...]],
                 fixed: Mapping[int, float]) -> None:
        self.sizes, self.count = sizes, len(sizes)
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        inf = highspy.kHighsInf
        for t in range(self.count):
            h.addCol(-fixed.get(t, 0.0), 0.0, inf, 0, [], [])
        h.addCol(1.0, 0.0, inf, 0, [], [])          # ŷ
        free = [t for t in range(self.count) if t not in fixed]
        h.addRow(1.0, 1.0, len(free), np.array(free, dtype=np.int32), np.ones(len(free)))
        self.h = h
        for profile in profiles:
            self.add(profile)

    def add(self, profile: tuple[int, ...]) -> None:
        columns = [t for t, c in enumerate(profile) if c] + [self.count]
        values = [profile[t] / self.sizes[t] for t in columns[:-1]] + [-1.0]
        self.h.addRow(-highspy.kHighsInf, 0.0, len(columns), np.array(columns, dtype=np.int32),
                      np.array(values))

    def solve(self, *, interior: bool) -> bool:
        method = "ipm" if interior else "simplex"
        if self.h.getOptionValue("solver")[1] != method:
            self.h.setOptionValue("solver", method)
            self.h.setOptionValue("run_crossover", "off")
        self.h.run()
        return bool(self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal)

    def values(self) -> tuple[list[float], float, float]:
        x = self.h.getSolution().col_value
        return list(x[:self.count]), x[self.count], self.h.getInfo().objective_function_value


def _initial(pricing: Pricing, count: int) -> set[tuple[int, ...]]:
    """Profiles to start from: for each type, one that seats as many of it as possible."""
    found = set()
    for t in range(count):
        weights = [0.0] * count
        weights[t] = 1.0
        best = pricing.best(weights)
        if best is not None:
            found.add(best[0])
    return found


def _fix_chances(pricing: Pricing, sizes: Sequence[int],
                 profiles: set[tuple[int, ...]]) -> dict[int, float]:
    """Fix each type's chance, stage by stage, with the profiles found on the way."""
    fixed: dict[int, float] = {}
    count = len(sizes)
    while len(fixed) < count:
        stage, interior = _Stage(sizes, sorted(profiles), fixed), False
        while True:
            if not stage.solve(interior=interior):
                for t in fixed:         # floating point: relax the fixed chances a touch
                    fixed[t] = max(0.0, fixed[t] - RELAX)
                stage, interior = _Stage(sizes, sorted(profiles), fixed), False
                continue
            weights, cap, objective = stage.values()
            best = pricing.best([w / n for w, n in zip(weights, sizes, strict=True)])
            assert best is not None
            profile, value = best
            if value <= cap + EPS:
                if not interior:
                    interior = True     # the profiles suffice: fix all that can be fixed
                    continue
                for t, weight in enumerate(weights):
                    if weight > EPS and t not in fixed:
                        fixed[t] = max(0.0, objective)
                break
            profiles.add(profile)
            stage.add(profile)
            interior = False
    return fixed


def _weights(profiles: Sequence[tuple[int, ...]], sizes: Sequence[int],
             fixed: Mapping[int, float]) -> list[float]:
    """Weights on the profiles giving each type its fixed chance (the library's last step:
    minimise the largest shortfall ε)."""
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    inf, count = highspy.kHighsInf, len(profiles)
    for _ in profiles:
        h.addCol(0.0, 0.0, inf, 0, [], [])
    h.addCol(1.0, 0.0, inf, 0, [], [])              # ε
    h.addRow(1.0, 1.0, count, np.arange(count, dtype=np.int32), np.ones(count))
    for t, chance in fixed.items():
        columns = [j for j, p in enumerate(profiles) if p[t]] + [count]
        values = [profiles[j][t] / sizes[t] for j in columns[:-1]] + [1.0]
        h.addRow(chance, inf, len(columns), np.array(columns, dtype=np.int32),
                 np.array(values))
    h.run()
    x = h.getSolution().col_value
    weights = [min(1.0, max(0.0, x[j])) for j in range(count)]
    total = sum(weights)
    return [w / total for w in weights]


@dataclass(frozen=True)
class TypeDistribution:
    """Profiles with their weights, and each type's chance (the same for all its members)."""

    types: Types
    profiles: tuple[tuple[int, ...], ...]
    weights: tuple[float, ...]
    chances: tuple[float, ...]

    def probabilities(self) -> dict[int, float]:
        return {n: self.chances[t] for t, members in enumerate(self.types.members)
                for n in members}


def leximin(quotas: Quotas, pool: Sequence[Volunteer], seats: int) -> TypeDistribution:
    """Return the LEXIMIN distribution over profiles of the pool's types."""
    types = group(quotas, pool)
    pricing = Pricing(quotas, types, seats)
    if pricing.best([1.0] * len(types.members)) is None:
        raise SortitionError(quotas.explain(pool, seats))
    sizes = types.sizes
    profiles = _initial(pricing, len(sizes))
    fixed = _fix_chances(pricing, sizes, profiles)
    listed = sorted(profiles)
    weights = _weights(listed, sizes, fixed)
    kept = [(p, w) for p, w in zip(listed, weights, strict=True) if w >= EPS2]
    total = sum(w for _, w in kept)
    chances = [0.0] * len(sizes)
    for profile, weight in kept:
        for t, c in enumerate(profile):
            chances[t] += weight / total * c / sizes[t]
    return TypeDistribution(types, tuple(p for p, _ in kept),
                            tuple(w / total for _, w in kept), tuple(chances))


def people(distribution: TypeDistribution, rounded: Sequence[tuple[int, ...]],
           seed: str) -> list[frozenset[int]]:
    """Turn a lottery of profiles into panels of people: each type's seats, panel after
    panel, go to its volunteers in turn (in an order shuffled by `seed`), so each volunteer
    of a type sits on as many listed panels as any other, give or take one, and never twice
    on one panel (a profile seats at most n_t of type t)."""
    shuffle = random.Random(hashlib.sha256(("people:" + seed).encode()).digest())
    panels: list[set[int]] = [set() for _ in rounded]
    for t, members in enumerate(distribution.types.members):
        order = list(members)
        shuffle.shuffle(order)
        at = 0
        for panel, profile in zip(panels, rounded, strict=True):
            for _ in range(profile[t]):
                panel.add(order[at % len(order)])
                at += 1
    return [frozenset(p) for p in panels]
