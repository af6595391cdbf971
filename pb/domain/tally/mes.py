"""Method of Equal Shares (Peters & Skowron), exactly as pabutools 1.2.3 computes it.

Every voter gets an equal share of the budget. A project is bought by its supporters: each
pays the same price per unit of utility (rho times their utility, capped by what they have
left). In each round the project with the smallest rho is bought; a tie goes to the smaller id
(compared as strings). Utility is the cost for approval ballots (pabutools' Cost_Sat) and the
points for points ballots (Additive_Cardinal_Sat).

Speed comes from two facts, both exact:
- Voters who have paid for the same bought projects (with the same utilities) hold the same
  money, so they form one *class*; only classes are tracked, never single voters.
- Which voters share a class depends only on the sequence of bought projects, not on the
  starting budget. The add1 completion reruns MES with budgets one unit larger each time and
  the runs mostly buy projects in the same order, so the class bookkeeping for a sequence is
  stored in a trie and reused; a rerun then only redoes the arithmetic.
All arithmetic is on integers and `Fraction`s; money is scaled so every amount is whole.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from fractions import Fraction
from math import gcd, lcm

from pb.domain.tally.model import TallyInput

Money = int | Fraction


@dataclass
class _Node:
    """One bought project after a given sequence: how classes split and counts move."""

    q: int
    splits: list[tuple[int, int]] = field(default_factory=list)  # (old key, new class)
    deltas: list[tuple[int, int, int, int]] = field(default_factory=list)  # (p, old, new, n)
    moves: list[tuple[int, int]] = field(default_factory=list)  # (group, new class)
    emptied: list[int] = field(default_factory=list)  # classes nobody is left in
    children: dict[int, _Node] = field(default_factory=dict)
    parent: _Node | None = None


@dataclass
class MesRun:
    """One MES run: projects bought in order (free ones first) and the price of each."""

    voter_budget: Money  # in engine units (see MesEngine.unit)
    order: list[int]
    prices: dict[int, Fraction]  # money per unit of utility each supporter was asked for
    rho: dict[int, Fraction]


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
        total_sat = [0] * count
        self.supporters: list[list[tuple[int, int]]] = [[] for _ in range(count)]
        for g, (projects, sats, mult) in enumerate(self.groups):
            for p, s in zip(projects, sats, strict=True):
                total_sat[p] += s * mult
                self.supporters[p].append((g, s))
        self.total_sat = total_sat
        ranked = sorted(range(count), key=lambda p: data.ids[p])
        self.rank = {p: r for r, p in enumerate(ranked)}
        # Free supported projects are bought first, but only with points utilities: with cost
        # utilities (approval) a project that costs nothing is worth nothing (pabutools).
        self.free = [p for p in ranked
                     if data.points and total_sat[p] > 0 and self.cost[p] == 0]
        self.projects = [p for p in range(count) if total_sat[p] > 0 and self.cost[p] > 0]
        # rho is money per unit of utility divided by w; for approval w is the cost.
        self.weight = [1 if data.points else max(c, 1) for c in data.cost_units]
        self.scale = 1 + max((s for _, sats, _ in self.groups for s in sats), default=1)
        # Supporters are ordered by money / utility; held * order_key[s] sorts the same way.
        every = lcm(*{s for _, sats, _ in self.groups for s in sats} | {1})
        self.order_key = [every // s if s else 0 for s in range(self.scale)]
        self.hist0 = {p: self._initial_hist(p) for p in self.projects}
        self.heap0 = sorted(
            (Fraction(self.cost[p], self.weight[p] * total_sat[p]), self.rank[p], p)
            for p in self.projects)
        self.root = _Node(q=-1)
        self.classes = 1  # class 0: voters who have bought nothing yet
        self._cursor: tuple[_Node, list[int], dict[int, int]] | None = None
        self._runs: dict[int, MesRun] = {}

    def _initial_hist(self, p: int) -> dict[int, int]:
        hist: dict[int, int] = {}
        for g, s in self.supporters[p]:
            hist[s] = hist.get(s, 0) + self.groups[g][2]  # key: class 0 * scale + s
        return hist

    def run(self, voter_budget: int) -> MesRun:
        """Run MES once with `voter_budget` engine units per voter (remembered)."""
        done = self._runs.get(voter_budget)
        if done is None:
            done = self._runs[voter_budget] = self._run(voter_budget)
        return done

    def _run(self, voter_budget: int) -> MesRun:
        scale, cost, weight = self.scale, self.cost, self.weight
        # Budgets are integer numerators over one common denominator `den`, which grows when
        # a price is not whole; classes that hold nothing are simply absent.
        den = 1
        budgets: dict[int, int] = {0: voter_budget} if voter_budget else {}
        hist = {p: dict(h) for p, h in self.hist0.items()}
        heap = list(self.heap0)  # a sorted list is already a heap
        node = self.root
        order = list(self.free)
        prices: dict[int, Fraction] = {}
        rhos: dict[int, Fraction] = {}
        while heap:
            best: Fraction | None = None
            evaluated: list[tuple[Fraction, int, int, int, int]] = []
            # Stale values are lower bounds (rho only grows as money is spent), so projects
            # whose stale value is above the best true value found cannot win this round.
            while heap and (best is None or heap[0][0] <= best):
                _, rank, p = heapq.heappop(heap)
                found = self._price(hist[p], budgets, cost[p] * den)
                if found is None:
                    del hist[p]  # unaffordable now, so for good: budgets only shrink
                    continue
                rho = Fraction(found[0], found[1] * weight[p] * den)
                evaluated.append((rho, rank, p, *found))
                if best is None or rho < best:
                    best = rho
            if best is None:
                break
            winner = min(e for e in evaluated if e[0] == best)
            for rho, rank, p, _, _ in evaluated:
                if p != winner[2]:
                    heapq.heappush(heap, (rho, rank, p))
            _, _, q, top, bottom = winner
            child = node.children.get(q) or self._extend(node, q)
            # The price per unit of utility is top / bottom (over den): make it whole.
            common = gcd(top, bottom)
            top, bottom = top // common, bottom // common
            if bottom != 1:
                den *= bottom
                budgets = {c: v * bottom for c, v in budgets.items()}
            prices[q] = Fraction(top, den)
            rhos[q] = best
            for old_key, new_class in child.splits:
                c, sat = divmod(old_key, scale)
                held = budgets.get(c)
                if held is not None:
                    left = held - top * sat
                    if left > 0:
                        budgets[new_class] = left
            for c in child.emptied:
                budgets.pop(c, None)
            del hist[q]
            for p, old, new, n in child.deltas:
                h = hist.get(p)
                if h is None:
                    continue
                left = h[old] - n
                if left:
                    h[old] = left
                else:
                    del h[old]
                h[new] = h.get(new, 0) + n
            node = child
            order.append(q)
        return MesRun(voter_budget, order, prices, rhos)

    def _price(self, hist: dict[int, int], budgets: dict[int, int], cost: int
               ) -> tuple[int, int] | None:
        """Return the price per unit of utility as (top, bottom), or None if unaffordable.

        Money here is over the run's common denominator; `cost` is already scaled to it.
        """
        scale, order_key = self.scale, self.order_key
        items = []
        total = 0
        for key, n in hist.items():
            c, s = divmod(key, scale)
            held = budgets.get(c)
            if held:  # voters with nothing left are poor whatever the price
                items.append((held * order_key[s], held, s, n))
                total += held * n
        if total < cost:
            return None
        items.sort()
        contributed = 0
        sat = 0
        for item in items:
            sat += item[2] * item[3]
        for _, held, s, n in items:
            # Everyone from here on pays (cost - contributed) / sat per unit of utility,
            # unless that is more than they hold: then they pay all they have.
            if (cost - contributed) * s <= held * sat:
                break
            contributed += held * n
            sat -= s * n
        return cost - contributed, sat

    def _extend(self, node: _Node, q: int) -> _Node:
        """Create the trie child for buying `q` after `node`'s sequence."""
        classes, sizes = self._classes_at(node)
        selected = set()
        walk: _Node | None = node
        while walk is not None and walk.q >= 0:
            selected.add(walk.q)
            walk = walk.parent
        selected.add(q)
        live = {p for p in self.projects if p not in selected}
        scale = self.scale
        child = _Node(q=q, parent=node)
        splits: dict[int, int] = {}
        moved: dict[tuple[int, int, int], int] = {}
        for g, s in self.supporters[q]:
            c = classes[g]
            key = c * scale + s
            new = splits.get(key)
            if new is None:
                new = splits[key] = self.classes
                self.classes += 1
            classes[g] = new
            child.moves.append((g, new))
            projects, sats, mult = self.groups[g]
            sizes[c] -= mult
            sizes[new] = sizes.get(new, 0) + mult
            for p, sp in zip(projects, sats, strict=True):
                if p in live:
                    k = (p, c * scale + sp, new * scale + sp)
                    moved[k] = moved.get(k, 0) + mult
        child.splits = list(splits.items())
        child.deltas = [(p, old, new, n) for (p, old, new), n in moved.items()]
        child.emptied = sorted({key // scale for key in splits if not sizes[key // scale]})
        node.children[q] = child
        self._cursor = (child, classes, sizes)
        return child

    def _classes_at(self, node: _Node) -> tuple[list[int], dict[int, int]]:
        """Return every group's class, and class sizes, after `node`'s sequence."""
        if self._cursor is not None and self._cursor[0] is node:
            return self._cursor[1], self._cursor[2]
        path = []
        walk: _Node | None = node
        while walk is not None and walk.q >= 0:
            path.append(walk)
            walk = walk.parent
        classes = [0] * len(self.groups)
        for step in reversed(path):
            for g, new in step.moves:
                classes[g] = new
        sizes: dict[int, int] = {}
        for g, c in enumerate(classes):
            sizes[c] = sizes.get(c, 0) + self.groups[g][2]
        return classes, sizes

    def cost_of(self, order: list[int]) -> int:
        """Return the total cost of `order` in engine units."""
        return sum(self.cost[p] for p in order)

    def is_exhaustive(self, order: list[int]) -> bool:
        """Tell whether no supported, unbought project fits in what is left (pabutools' test)."""
        left = self.budget - self.cost_of(order)
        bought = set(order)
        return all(self.cost[p] > left for p in self.projects if p not in bought)


def equal_shares(engine: MesEngine, completion: str) -> tuple[MesRun, dict[str, object]]:
    """Run MES with a completion ("none", "add1", "add1-nostop"); return the deciding run.

    add1 follows pabutools' `voter_budget_increment=1`: add one currency unit to every
    voter's share and rerun until the outcome is exhaustive, or return the last outcome
    before one that would exceed the budget. add1-nostop follows
    `exhaustion_by_budget_increase(budget_step=n, exhaustive_stop=False)`: it keeps going past
    exhaustive outcomes until one exceeds the budget.
    """
    base = engine.data.budget_units  # budget / n per voter, in engine units
    step = engine.unit
    if completion == "none":
        return engine.run(base), {"increments": 0}
    stop_when_exhaustive = completion == "add1"
    previous = MesRun(base, list(engine.free) if stop_when_exhaustive else [], {}, {})
    everything = engine.cost_of(engine.projects + engine.free)
    # pabutools gives up once the total budget would pass budget * (n + 1), i.e. after
    # floor(budget) steps of one unit per voter.
    last_step = engine.data.budget_units // engine.data.money_scale
    k = 0
    if not stop_when_exhaustive and everything <= engine.budget:
        # Every outcome fits, so only the last one counts; it buys everything supported.
        run = engine.run(base + last_step * step)
        return run, {"increments": last_step}
    while True:
        run = engine.run(base + k * step)
        if engine.cost_of(run.order) > engine.budget:
            return previous, {"increments": max(k - 1, 0)}
        if stop_when_exhaustive and engine.is_exhaustive(run.order):
            return run, {"increments": k}
        if not stop_when_exhaustive and k >= last_step:
            return run, {"increments": k}
        if base + k * step >= everything:
            # Every voter alone can pay for everything: later runs cannot differ.
            return run, {"increments": k}
        previous = run
        k += 1
