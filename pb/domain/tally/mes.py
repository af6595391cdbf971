"""Method of Equal Shares (Peters & Skowron), exactly as pabutools 1.2.3 computes it.

Every voter gets an equal share of the budget. A project is bought by its supporters: each
pays the same price per unit of utility (rho times their utility, capped by what they have
left). In each round the project with the smallest rho is bought; a tie goes to the smaller id
(compared as strings). Utility is the cost for approval ballots (pabutools' Cost_Sat) and the
points for points ballots (Additive_Cardinal_Sat).

Voters are tracked by class (see `mes_classes`): everyone who paid for the same projects holds
the same money. Money is in integers over one common denominator per run, so every payment,
comparison and tie is exact; floats only order the waiting list, never decide anything.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd, lcm
from typing import TYPE_CHECKING

from pb.domain.tally.mes_classes import Hist, Node, VoterClasses
from pb.domain.tally.model import TallyInput

if TYPE_CHECKING:
    from pb.domain.tally.mes_screen import MesScreen

SCREEN_FROM = 256  # ballot groups from which add1 reruns are screened in floating point
SHARE_BLOCK = 16  # add1 reruns per traced run whose rounds the others share

# A class's money: (numerator, denominator) with a denominator the run has used. The run's
# denominator only ever grows by whole factors, so an old amount is rescaled when it is read.
Held = tuple[int, int]


@dataclass
class MesRun:
    """One MES run: projects bought in order (free ones first) and how they were paid."""

    voter_budget: int  # in engine units (see MesEngine.unit)
    order: list[int]
    bought: list[int] = field(default_factory=list)  # the priced part of `order`
    price_parts: list[Held] = field(default_factory=list)  # price per unit of utility
    path: list[Node] = field(default_factory=list)  # path[t]: the set before bought[t]
    budgets: dict[int, Held] = field(default_factory=dict)  # every class's money

    @property
    def prices(self) -> dict[int, Fraction]:
        """Return the price per unit of utility of each bought project, in engine units."""
        return {q: Fraction(*part) for q, part in zip(self.bought, self.price_parts,
                                                        strict=True)}


class MesEngine:
    """Data prepared once for repeated MES runs on one input.

    Money is in units of 1/(D * n) of the currency (D makes costs whole, n is the number of
    voters), so every voter's starting share, and every add1 step, is a whole number.
    """

    def __init__(self, data: TallyInput) -> None:
        self.data = data
        n = data.voters
        self.unit = data.money_scale * n  # engine units per currency unit
        self.cost = [c * n for c in data.cost_units]
        self.budget = data.budget_units * n
        self.groups = data.groups
        count = len(data.ids)
        self.classes = VoterClasses(self.groups, count, data.support)
        self.total_sat = self.classes.total_sat
        self.voters = self.classes.voters  # supporters of each project
        ranked = sorted(range(count), key=lambda p: data.ids[p])
        self.rank = {p: r for r, p in enumerate(ranked)}
        # Free supported projects are bought first, but only with points utilities: with cost
        # utilities (approval) a project that costs nothing is worth nothing (pabutools).
        self.free = [p for p in ranked
                     if data.points and self.total_sat[p] > 0 and self.cost[p] == 0]
        self.projects = [p for p in range(count) if self.total_sat[p] > 0 and self.cost[p] > 0]
        # rho is money per unit of utility divided by w; for approval w is the cost.
        self.weight = [1 if data.points else max(c, 1) for c in data.cost_units]
        # Supporters are ordered by money / utility; held * order_key[s] sorts the same way.
        sats = set(self.classes.sat_of.values())
        every = lcm(*sats | {1})
        self.order_key = {s: every // s for s in sats}
        # The waiting list starts with each project's rho when nobody has paid anything.
        self.heap0 = sorted((self.cost[p] / (self.weight[p] * self.total_sat[p]),
                             self.rank[p], p) for p in self.projects)
        self._runs: dict[int, MesRun] = {}
        self._detailed: list[MesRun] = []
        self.everything = self.cost_of(self.projects + self.free)
        self._screen: MesScreen | None = None
        self.orders: dict[int, list[int]] = {}  # screened orders, by voter budget
        self.screened = self.unscreened = 0  # reruns decided in floats / run exactly

    def screened_order(self) -> Callable[[int], list[int]]:
        """Return a function giving a run's order, screened in floats (kept in `orders`).

        The reruns come in blocks of `SHARE_BLOCK` budgets, run from the richest down: each
        run shares the rounds of the one above it while it can (`MesScreen.order_below`).
        """
        # numpy is imported only here: counts without add1 do not need it.
        from pb.domain.tally.mes_screen import MesScreen, Trace, Uncertain  # noqa: PLC0415

        if self._screen is None:
            self._screen = MesScreen(self)
        screen, orders = self._screen, self.orders
        last = self.data.budget_units + (self.data.budget_units // self.data.money_scale
                                         ) * self.unit

        def exactly(voter_budget: int) -> list[int]:
            self.unscreened += 1
            return self.run(voter_budget).order

        def block(low: int) -> None:
            """Screen the runs from `low` up to SHARE_BLOCK steps above, from the top down."""
            # Runs past the last step, or past the first budget that pays for everything,
            # are never asked for.
            steps = max(0, min(SHARE_BLOCK - 1, (last - low) // self.unit,
                               -((low - self.everything) // self.unit)))
            top = low + steps * self.unit
            above: Trace | None = None
            for voter_budget in range(top, low - 1, -self.unit):
                try:
                    if above is None:
                        orders[voter_budget], above = screen.traced(voter_budget)
                    else:
                        orders[voter_budget], above = screen.order_below(voter_budget, above)
                    self.screened += 1
                except Uncertain:
                    orders[voter_budget], above = exactly(voter_budget), None

        def order_at(voter_budget: int) -> list[int]:
            if voter_budget not in orders:
                block(voter_budget)
            return orders[voter_budget]
        return order_at

    def run(self, voter_budget: int) -> MesRun:
        """Run MES once with `voter_budget` engine units per voter (remembered)."""
        done = self._runs.get(voter_budget)
        if done is None:
            done = self._runs[voter_budget] = self._run(voter_budget)
            # Keep the class money only for the latest runs (one of them usually decides):
            # add1 can take thousands of runs.
            self._detailed.append(done)
            if len(self._detailed) > 2:
                old = self._detailed.pop(0)
                old.path, old.budgets = [], {}
        return done

    def detailed(self, run: MesRun) -> MesRun:
        """Return `run` with its class money, running it again if that was dropped."""
        if run.bought and not run.path:
            return self._run(run.voter_budget)
        return run

    def _run(self, voter_budget: int) -> MesRun:
        cost, weight, voters = self.cost, self.weight, self.voters
        classes = self.classes
        den = 1
        budgets: dict[int, Held] = {0: (voter_budget, 1)} if voter_budget else {}
        # Projects whose supporters cannot pay for them even with untouched shares never can.
        heap = [entry for entry in self.heap0 if voters[entry[2]] * voter_budget >= cost[entry[2]]]
        node = classes.root
        run = MesRun(voter_budget, list(self.free), budgets=budgets)
        path, bought = run.path, run.bought
        while heap:
            # rho = top / (w * den); `w` folds in the price's own denominator and the weight.
            best: tuple[int, int, int, int, int, Hist] | None = None
            best_float = float("inf")
            evaluated: list[tuple[int, int, int, int]] = []
            # A project's rho only grows as money is spent, so its last value is a lower bound.
            # Keys are floats rounded to nearest, which keeps order (a <= b gives f(a) <= f(b)):
            # every project whose exact bound is at most the best rho is still evaluated.
            while heap and heap[0][0] <= best_float:
                _, rank, p = heapq.heappop(heap)
                costd = cost[p] * den
                hist = node.hists.get(p)
                if hist is None:
                    base = self._known(p, path)
                    if not self._may_afford(base.hists[p], budgets, den, costd):
                        continue  # unaffordable now, so for good: money only shrinks
                    hist = classes.build(p, node)
                found = self._price(hist, budgets, den, costd)
                if found is None:
                    continue
                top, bottom = found
                w = bottom * weight[p]
                evaluated.append((top, w, rank, p))
                if best is None or top * best[1] < best[0] * w or (
                        top * best[1] == best[0] * w and rank < best[2]):
                    best = (top, w, rank, p, bottom, hist)
                    best_float = top / (w * den)
            if best is None:
                break
            top, _, _, q, bottom, hist = best
            for top_p, w, rank, p in evaluated:
                if p != q:
                    heapq.heappush(heap, (top_p / (w * den), rank, p))
            # The price per unit of utility is top / bottom (over den): make it whole.
            common = gcd(top, bottom)
            top, bottom = top // common, bottom // common
            if bottom != 1:
                den *= bottom
            run.price_parts.append((top, den))
            self._pay(hist, classes.sat_bits[q], budgets, top, den)
            path.append(node)
            bought.append(q)
            run.order.append(q)
            node = classes.child(node, q)
        return run

    @staticmethod
    def _pay(hist: Hist, bits: dict[int, int], budgets: dict[int, Held], price: int,
             den: int) -> None:
        """Move the buyers into their new classes with what is left after paying."""
        for c, s, _ in hist:
            held = budgets.get(c)
            if held is not None:
                left = held[0] * (den // held[1]) - price * s
                if left > 0:  # those who paid all they had drop out
                    budgets[c | bits[s]] = (left, den)

    @staticmethod
    def _known(p: int, path: list[Node]) -> Node:
        """Return the latest set on `path` whose histogram for p is known (the root's is)."""
        start = len(path) - 1
        while p not in path[start].hists:
            start -= 1
        return path[start]

    @staticmethod
    def _may_afford(hist: Hist, budgets: dict[int, Held], den: int, cost: int) -> bool:
        """Tell whether p's supporters might still afford it, from an earlier histogram.

        The classes of an earlier set hold at least what their members hold now (members who
        bought something since hold less), so if they hold too little, so do p's supporters.
        """
        total = 0
        for c, _, n in hist:
            held = budgets.get(c)
            if held is not None:
                total += held[0] * (den // held[1]) * n
        return total >= cost

    def _price(self, hist: Hist, budgets: dict[int, Held], den: int, cost: int
               ) -> tuple[int, int] | None:
        """Return the price per unit of utility as (top, bottom), or None if unaffordable.

        Money here is over the run's common denominator `den`; `cost` is already scaled to it.
        """
        points = self.data.points
        order_key = self.order_key
        items: list[tuple[int, ...]] = []
        total = 0
        sat = 0
        get = budgets.get
        for c, s, n in hist:
            held = get(c)
            if held is None:  # voters with nothing left are poor whatever the price
                continue
            money = held[0]
            if held[1] is not den:
                money *= den // held[1]
                budgets[c] = (money, den)  # rescale once, not at every read
            # Approval utilities are all 1 (the weight carries the cost): sort by money.
            items.append((money * order_key[s], money, s, n) if points else (money, n))
            total += money * n
            sat += s * n
        if total < cost:
            return None
        items.sort()
        contributed = 0
        if points:
            for _, money, s, n in items:
                # Everyone from here on pays (cost - contributed) / sat per unit of utility,
                # unless that is more than they hold: then they pay all they have.
                if (cost - contributed) * s <= money * sat:
                    break
                contributed += money * n
                sat -= s * n
        else:
            for money, n in items:
                if cost - contributed <= money * sat:
                    break
                contributed += money * n
                sat -= n
        return cost - contributed, sat

    def cost_of(self, order: list[int]) -> int:
        """Return the total cost of `order` in engine units."""
        return sum(self.cost[p] for p in order)

    def is_exhaustive(self, order: list[int]) -> bool:
        """Tell whether no supported, unbought project fits in what is left (pabutools' test)."""
        left = self.budget - self.cost_of(order)
        bought = set(order)
        return all(self.cost[p] > left for p in self.projects if p not in bought)


def equal_shares(engine: MesEngine, completion: str, *, screen: bool = True
                 ) -> tuple[MesRun, dict[str, object]]:
    """Run MES with a completion ("none", "add1", "add1-nostop"); return the deciding run.

    add1 follows pabutools' `voter_budget_increment=1`: add one currency unit to every
    voter's share and rerun until the outcome is exhaustive, or return the last outcome
    before one that would exceed the budget. add1-nostop follows
    `exhaustion_by_budget_increase(budget_step=n, exhaustive_stop=False)`: it keeps going past
    exhaustive outcomes until one exceeds the budget.

    The reruns only need their order, which `MesScreen` computes in checked floating point
    (falling back to the exact run for any step it cannot decide); the deciding run is then
    run exactly, and if its order were not the screened one every rerun would be run exactly.
    """
    base = engine.data.budget_units  # budget / n per voter, in engine units
    step = engine.unit
    if completion == "none":
        return engine.run(base), {"increments": 0}
    stop_when_exhaustive = completion == "add1"
    # pabutools gives up once the total budget would pass budget * (n + 1), i.e. after
    # floor(budget) steps of one unit per voter.
    last_step = engine.data.budget_units // engine.data.money_scale
    if not stop_when_exhaustive and engine.everything <= engine.budget:
        # Every outcome fits, so only the last one counts; it buys everything supported.
        run = engine.run(base + last_step * step)
        return run, {"increments": last_step}
    orders = engine.orders
    # Small elections are quicker exactly than through numpy.
    if screen and len(engine.groups) >= SCREEN_FROM:
        decided, increments = _add1(engine, stop_when_exhaustive, engine.screened_order())
        run = _deciding(engine, decided, stop_when_exhaustive)
        if decided is None:  # the first rerun overspent: check that one exactly
            checked = engine.cost_of(engine.run(base).order) > engine.budget
        else:
            checked = run.order == orders[base + decided * step]
        if checked:
            return run, {"increments": increments}
    decided, increments = _add1(engine, stop_when_exhaustive, lambda b: engine.run(b).order)
    return _deciding(engine, decided, stop_when_exhaustive), {"increments": increments}


def _add1(engine: MesEngine, stop_when_exhaustive: bool, order_at: Callable[[int], list[int]]
          ) -> tuple[int | None, int]:
    """Return which step decides (None: nothing bought) and the increments reported."""
    base = engine.data.budget_units
    step = engine.unit
    last_step = engine.data.budget_units // engine.data.money_scale
    k = 0
    while True:
        order = order_at(base + k * step)
        if engine.cost_of(order) > engine.budget:
            return (k - 1 if k else None), max(k - 1, 0)
        if stop_when_exhaustive and engine.is_exhaustive(order):
            return k, k
        if not stop_when_exhaustive and k >= last_step:
            return k, k
        if base + k * step >= engine.everything:
            # Every voter alone can pay for everything: later runs cannot differ.
            return k, k
        k += 1


def _deciding(engine: MesEngine, decided: int | None, stop_when_exhaustive: bool) -> MesRun:
    base = engine.data.budget_units
    if decided is None:  # even the first run overspends: nothing is bought
        return MesRun(base, list(engine.free) if stop_when_exhaustive else [])
    return engine.run(base + decided * engine.unit)
