"""Screen MES runs in floating point, with every decision checked against an error bound.

The add1 completion reruns MES for hundreds of per-voter budgets but only needs each rerun's
*order* (to see whether it is exhaustive or overspends); the exact run (`MesEngine.run`, with
integer money) is then needed only for the one run that decides the outcome. This module
computes a run's order with numpy floats over ballot groups and an error bound carried along:

- `E` bounds how far any group's computed money is from the exact money;
- each project's price per unit of utility (rho) comes with a bound `err` derived from E and
  the rounding of the sums (IEEE doubles, unit roundoff u = 2**-53), times a safety factor;
- a decision (affordable or not, which project is cheapest, which may be skipped) is taken
  only when the intervals do not overlap. Otherwise the run raises `Uncertain` and the caller
  runs it exactly. Exact ties (equal rho, broken by id) are always left to the exact engine.
- the waiting list is lazy, as in the exact engine: each project's last lower bound, ordered
  by (bound, rank of the id). Within a round, once a best is known, a popped project first
  gets a cheap, rounded-down lower bound (`_floor`); if that is above the best's upper end
  it is surely dearer and is not priced, only put back with the better bound.

Why the price bound holds: let F(r) be the money the supporters would pay at price r
(sum of min(money, r * utility)), which is increasing with slope at least the utility of
the supporters who are rich (money above r * utility) throughout [r - err, r + err]. Those
are counted with a margin (`S_safe`), so |F(r_computed) - cost| <= D gives
|rho_exact - r_computed| <= D / S_safe, and err is SAFETY times that.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pb.domain.tally.mes import MesEngine

U = 2.0 ** -53  # unit roundoff of a double
SAFETY = 1.25
EXACT_LIMIT = 2 ** 52  # integers up to here are exact doubles
MARGIN = 1e-6  # relative margin for counting a supporter as surely rich
SHARE_MARGIN = 0.01  # how far above the best price a traced run raises the others' bounds


class Uncertain(Exception):  # noqa: N818  (a signal, not an error)
    """Floating point cannot decide a step of this run: run it exactly instead."""


@dataclass
class _State:
    """A run in progress: the groups' money and its error bounds, waiting list, order."""

    money: np.ndarray
    errors: np.ndarray
    heap: list[tuple[float, int, int]]
    order: list[int]
    rounding: float


@dataclass
class Trace:
    """What a run decided, round by round, for runs with less money to share.

    `bought[t]` is the project bought in round t, `others[t]` a lower bound of every other
    project's price per unit of weight in that round (the waiting list's smallest key after
    it), and `waiting[t]` the waiting list as round t began. `spare[t]` is how much less
    every group could have held with the round still one where every supporter of the project
    surely pays its whole price, cost / total utility (-inf if it was not one). Up to the
    first round that was not one, as round t began the groups' money was
    `money[t][0] - money[t][1]`, within `errors[t]`.
    """

    voter_budget: int
    bought: list[int] = field(default_factory=list)
    others: list[float] = field(default_factory=list)
    waiting: list[tuple[tuple[float, int, int], ...]] = field(default_factory=list)
    money: list[tuple[np.ndarray, float]] = field(default_factory=list)
    errors: list[np.ndarray] = field(default_factory=list)
    spare: list[float] = field(default_factory=list)

    def share(self, above: Trace, t: int, less: float) -> None:
        """Record round t of `above` as this run's, with `less` less money in every group."""
        self.bought.append(above.bought[t])
        self.others.append(above.others[t])
        self.waiting.append(above.waiting[t])
        if t < len(above.money):
            array, offset = above.money[t]
            self.money.append((array, offset + less))
            self.errors.append(above.errors[t])
        self.spare.append(above.spare[t] - less)


class MesScreen:
    """Per-project supporter arrays, built once; `order(b)` screens one run."""

    def __init__(self, engine: MesEngine) -> None:
        self.engine = engine
        data = engine.data
        groups = engine.groups
        count = len(data.ids)
        idx: list[list[int]] = [[] for _ in range(count)]
        sat: list[list[int]] = [[] for _ in range(count)]
        for g, (projects, sats, _) in enumerate(groups):
            for p, s in zip(projects, sats, strict=True):
                idx[p].append(g)
                sat[p].append(s)
        mult = np.array([group[2] for group in groups], dtype=np.float64)
        self.groups = len(groups)
        self.points = data.points
        self.idx = {p: np.array(idx[p], dtype=np.intp) for p in engine.projects}
        self.n = {p: mult[self.idx[p]] for p in engine.projects}
        self.s = {p: np.array(sat[p], dtype=np.float64) for p in engine.projects}
        self.ns = {p: self.n[p] * self.s[p] for p in engine.projects}
        self.s_max = {p: max(sat[p]) for p in engine.projects}
        self.facts = {p: (float(engine.cost[p]), float(engine.total_sat[p]), len(idx[p]))
                      for p in engine.projects}
        self.heap0 = [(key * (1 - 4 * U), rank, p) for key, rank, p in engine.heap0]
        biggest = max([engine.budget, *engine.cost, *engine.total_sat, *engine.voters,
                       data.budget_units + (data.budget_units // data.money_scale) * engine.unit])
        self.usable = biggest < EXACT_LIMIT // 4

    def order(self, voter_budget: int) -> list[int]:
        """Return the order MES buys projects in with `voter_budget` engine units per voter.

        Raises Uncertain when a decision is too close to call in floating point.
        """
        return self._search(self._start(voter_budget), None)

    def traced(self, voter_budget: int) -> tuple[list[int], Trace]:
        """Return the order, as `order` does, and its trace for `order_below`."""
        trace = Trace(voter_budget)
        return self._search(self._start(voter_budget), trace), trace

    def order_below(self, voter_budget: int, above: Trace) -> tuple[list[int], Trace]:
        """Return the order with `voter_budget` below the traced run's budget, and its trace.

        Shares the traced run's rounds. With less money every project costs at least what it
        cost in the traced run (while both runs have bought the same projects), so the traced
        bounds still hold, and:

        - while the traced rounds were ones where everyone pays the whole price with money to
          spare, this run's money is the traced money less the difference, and it buys the
          same projects: nothing needs computing;
        - then, when the project the traced run bought next is, with this budget, still surely
          cheaper than every traced bound, it is bought here too and only its own price is
          computed;
        - otherwise the round is searched from the traced waiting list, whose close bounds
          make that quick; while it buys the same project, the next rounds are shared again.

        From the first round that buys another project, the search goes on alone.
        """
        if voter_budget >= above.voter_budget:
            raise ValueError("order_below needs a budget below the traced one")
        state = self._start(voter_budget)
        less = float(above.voter_budget - voter_budget)
        weight = self.engine.weight
        trace = Trace(voter_budget)
        rounds = len(above.bought)
        start = 0
        while start < rounds and less < above.spare[start]:
            trace.share(above, start, less)
            state.order.append(above.bought[start])
            start += 1
        if start:
            if start == rounds:  # the traced run ended there, so does this one
                return state.order, trace
            array, offset = above.money[start]
            state.money = array - (offset + less)
            # The subtraction rounds too; every amount is at most the traced budget.
            state.errors = above.errors[start] + 4 * U * above.voter_budget
        money, errors = state.money, state.errors
        for t in range(start, rounds):
            q = above.bought[t]
            found = self._price(q, money, errors)
            if found is not None:
                rho, err_rho, exact = found
                r = rho / weight[q]
                if r + err_rho / weight[q] + 4 * U * r < above.others[t]:
                    trace.bought.append(q)
                    trace.others.append(above.others[t])
                    trace.waiting.append(above.waiting[t])
                    self._note(trace, q, rho, exact, money, errors)
                    self._pay(q, rho, err_rho, money, errors, state.rounding)
                    state.order.append(q)
                    continue
            state.heap = list(above.waiting[t])
            if self._round(state, trace) != q:
                return self._search(state, trace), trace
        return state.order, trace

    def _note(self, trace: Trace, q: int, rho: float, exact: bool, money: np.ndarray,
              errors: np.ndarray) -> None:
        """Record the round's spare money if everyone pays the whole price, and the money as
        it began if every earlier round was such a round (only then can a run share it)."""
        if len(trace.money) == len(trace.spare) and all(x > 0 for x in trace.spare[-1:]):
            trace.money.append((money.copy(), 0.0))
            trace.errors.append(errors.copy())
        spare = -float("inf")
        if exact:
            idx = self.idx[q]
            price = rho * (1 + MARGIN) * (self.s[q] if self.points else 1.0)
            spare = float((money[idx] - 2 * errors[idx] - price).min())
        trace.spare.append(spare)

    def _start(self, voter_budget: int) -> _State:
        if not self.usable or voter_budget >= EXACT_LIMIT // 4:
            raise Uncertain
        engine = self.engine
        cost, voters = engine.cost, engine.voters
        b = float(voter_budget)
        heap = [entry for entry in self.heap0 if voters[entry[2]] * voter_budget >= cost[entry[2]]]
        # errors[g] bounds |computed - exact| money of group g.
        return _State(np.full(self.groups, b), np.zeros(self.groups), heap,
                      list(engine.free), 8 * U * b)

    def _search(self, state: _State, trace: Trace | None) -> list[int]:
        """Run the rounds from `state` to the end; record them in `trace` if given."""
        while state.heap and self._round(state, trace) is not None:
            pass
        return state.order

    def _round(self, state: _State, trace: Trace | None) -> int | None:
        """Buy the next project and return it, or None when none is affordable."""
        weight = self.engine.weight
        money, errors, heap = state.money, state.errors, state.heap
        waiting = tuple(heap) if trace is not None else ()
        best: tuple[float, float, int, int, float, float, bool] | None = None
        best_high = float("inf")
        evaluated: list[tuple[float, float, int, int, float, float, bool]] = []
        dearer: list[tuple[float, int, int]] = []
        while heap and heap[0][0] <= best_high:
            key, rank, p = heapq.heappop(heap)
            if best is not None:
                floor = self._floor(p, key, money, errors)
                if floor > best_high:
                    # Surely dearer than the best so far: not priced, back with the bound.
                    dearer.append((floor, rank, p))
                    continue
            found = self._price(p, money, errors)
            if found is None:
                continue  # surely unaffordable now, so for good
            rho, err_rho, exact = found
            r = rho / weight[p]
            err = err_rho / weight[p] + 4 * U * r
            candidate = (r, err, rank, p, rho, err_rho, exact)
            evaluated.append(candidate)
            if best is None or r < best[0]:
                best = candidate
                best_high = r + err
        for entry in dearer:
            heapq.heappush(heap, entry)
        if best is None:
            return None
        for candidate in evaluated:
            if candidate is not best and self._before(candidate, best):
                best = candidate
        _, err, _, q, rho, err_rho, _ = best
        for candidate in evaluated:
            if candidate is not best:
                if not self._before(best, candidate):
                    raise Uncertain  # pragma: no cover  (_before is a strict order)
                heapq.heappush(heap, (candidate[0] - candidate[1], candidate[2], candidate[3]))
        if trace is not None:
            # Every other project's price is at least its key: the smallest bounds them.
            # Keys a little above the best are raised first, so that runs with a little less
            # money, whose prices are a little higher, can share this round.
            self._raise_keys(heap, best[0] + err * (1 + SHARE_MARGIN) + best[0] * SHARE_MARGIN,
                             money, errors)
            trace.bought.append(q)
            trace.others.append(heap[0][0] if heap else float("inf"))
            trace.waiting.append(waiting)
            self._note(trace, q, rho, best[6], money, errors)
        self._pay(q, rho, err_rho, money, errors, state.rounding)
        state.order.append(q)
        return q

    def _raise_keys(self, heap: list[tuple[float, int, int]], target: float,
                    money: np.ndarray, errors: np.ndarray) -> None:
        """Raise every key below `target` to a closer lower bound of its project's price
        (its floor, or its price less the error), dropping projects surely unaffordable."""
        weight = self.engine.weight
        raised: list[tuple[float, int, int]] = []
        while heap and heap[0][0] < target:
            key, rank, p = heapq.heappop(heap)
            floor = self._floor(p, key, money, errors)
            if floor < target:
                found = self._price(p, money, errors)
                if found is None:
                    continue
                rho, err_rho, _ = found
                r = rho / weight[p]
                floor = max(floor, r - err_rho / weight[p] - 4 * U * r)
            raised.append((floor, rank, p))
        for entry in raised:
            heapq.heappush(heap, entry)

    def _pay(self, q: int, rho: float, err_rho: float, money: np.ndarray, errors: np.ndarray,
             rounding: float) -> None:
        """Take q's price from its supporters' money, and carry the error bounds along."""
        idx = self.idx[q]
        m, e = money[idx], errors[idx]
        price = rho * self.s[q] if self.points else rho
        spread = err_rho * self.s[q] if self.points else err_rho
        money[idx] = np.maximum(m - price, 0.0)
        # Supporters surely poor paid all they had: they hold exactly nothing.
        errors[idx] = np.where(m + e < price - spread, 0.0, e + spread + rounding)

    def _before(self, a: tuple, b: tuple) -> bool:
        """Tell whether candidate a surely comes before b (smaller rho, or equal and smaller id).

        Raises Uncertain when their intervals overlap, unless both prices are exact (everyone
        pays cost / utility): then they are compared exactly, in integers.
        """
        if a[0] + a[1] < b[0] - b[1]:
            return True
        if b[0] + b[1] < a[0] - a[1]:
            return False
        if not (a[6] and b[6]):
            raise Uncertain  # too close to call in floating point
        engine = self.engine
        p, q = a[3], b[3]
        # rho / weight = cost / (total utility * weight), compared by cross-multiplying.
        left = engine.cost[p] * engine.total_sat[q] * engine.weight[q]
        right = engine.cost[q] * engine.total_sat[p] * engine.weight[p]
        return left < right or (left == right and a[2] < b[2])

    def _floor(self, p: int, key: float, money: np.ndarray, errors: np.ndarray) -> float:
        """Return a lower bound on p's exact price per unit of weight, in a few operations.

        Lazy evaluation's cheap half. With M the supporters' money raised by its error bound,
        min(money, r * utility) is at most M and at most r * utility, so for any split of the
        supporters into A and B, F(r) <= sum_A n * M + r * sum_B n * utility; at p's price
        F = cost, so the price is at least (cost - sum_A) / sum_B, whatever the split (here:
        those holding less than the last bound's price in A). Sums are rounded up, the
        quotient down. A bound above the best price so far spares pricing p (dozens of
        operations); it also goes back on the waiting list, closer to p's price than `key`.
        """
        cost, sat_all, k = self.facts[p]
        idx = self.idx[p]
        w = self.engine.weight[p]
        held = money[idx] + errors[idx]
        n = self.n[p]
        if self.points:
            poor = held < (key * w) * self.s[p]
            sat_rich = float(self.ns[p] @ ~poor)
        else:
            poor = held < key * w
            sat_rich = sat_all - float(n @ poor)
        paid = float((n * held) @ poor)
        grow = 1 + 2 * (k + 4) * U  # the sums' rounding, relative
        # What is left to pay, rounded down: the subtraction may cancel, so its own rounding
        # is taken off in absolute terms.
        left = cost - paid * grow - 8 * U * (cost + paid)
        if sat_rich <= 0 or left <= 0:
            return key
        return left / (sat_rich * grow) / w * (1 - 8 * U)

    def _price(self, p: int, money: np.ndarray, errors: np.ndarray
               ) -> tuple[float, float, bool] | None:
        """Return (rho, bound on its error, exact) for p, or None if surely unaffordable.

        `exact` says every supporter surely pays the full price, which is then exactly
        cost / total utility.
        """
        cost, sat_all, k = self.facts[p]
        idx = self.idx[p]
        m, e = money[idx], errors[idx]
        n = self.n[p]
        total = float(n @ m)
        rounding = 2 * (k + 4) * U * (total + cost)
        slack = float(n @ e) + rounding
        if total + slack < cost:
            return None
        if total - slack < cost:
            raise Uncertain
        s = self.s[p] if self.points else None
        rho = cost / sat_all
        ratio = m / s if s is not None else m
        poor = ratio < rho
        everyone = not poor.any()
        # Quick case: everyone surely holds more than the price cost / total utility, so
        # everyone pays it, and it is exact. Never so when someone holds less than it, which
        # is nearly every pricing: the least money is looked for only when nobody does.
        if everyone:
            lowest = (float(((m - 2 * e) / s).min()) if s is not None
                      else float(m.min()) - 2 * float(e.max()))
            if lowest > rho * (1 + MARGIN):
                return rho, SAFETY * 2 * rounding / sat_all, True
        ns = self.ns[p]
        if not everyone:
            # The poorer supporters pay all they have, the others the price they leave; each
            # pass can only add poorer ones, so this settles in a few passes.
            paid = n * m
            poor_sat = -1.0
            for _ in range(64):
                sat_poor = float(ns @ poor)
                if sat_poor == poor_sat:
                    break
                poor_sat = sat_poor
                rho = (cost - float(paid @ poor)) / (sat_all - sat_poor)
                poor = ratio < rho
            else:
                raise Uncertain
        price = rho * s if s is not None else rho
        # F(r), what the supporters would pay at price r, is off by at most the errors of
        # those who might hold less than the price; its slope near rho is at least the
        # utility of those surely rich (money well above the price).
        deviation = float((n * e) @ (m < price + e)) + 2 * rounding
        sat_safe = float(ns @ (m > price * (1 + MARGIN) + 2 * e))
        if sat_safe <= 0:
            raise Uncertain
        err_rho = SAFETY * deviation / sat_safe
        if err_rho > MARGIN / 4 * rho:
            raise Uncertain
        return rho, err_rho, everyone and sat_safe == sat_all
