"""Explain an Equal Shares count project by project, by replaying the deciding run."""

from __future__ import annotations

from fractions import Fraction

from pb.domain.tally.greedy import support_noun
from pb.domain.tally.mes import MesEngine, MesRun
from pb.domain.tally.outcome import Explanation, money

TOP = 3  # how many projects a sentence names as having taken the supporters' money


def explain_mes(engine: MesEngine, run: MesRun) -> dict[int, Explanation]:
    """Return an explanation for every project from the run that decided the outcome."""
    run = engine.detailed(run)
    data = engine.data
    unit = engine.unit
    share = Fraction(run.voter_budget, unit)
    bought = run.bought
    step_of = {q: t for t, q in enumerate(bought)}
    payments = _Payments(engine, run)
    full_payers = {q: payments.full_payers(t) for t, q in enumerate(bought)}
    prices = run.prices
    noun = support_noun(data)
    cur = data.currency
    result: dict[int, Explanation] = {}
    for p in range(len(data.ids)):
        base: Explanation = {"support": data.support[p], "cost": data.costs[p],
                             "voter_share": share}
        if p in prices:
            price = prices[p] / unit
            supporters = engine.voters[p]
            full = full_payers[p]
            per = "point" if data.points else "supporter"
            paid_how = (f"each paid {money(price, cur)}" if full == supporters and
                        not data.points else
                        f"{full} paid the full price ({money(price, cur)} per {per})"
                        + ("" if full == supporters else ", the others all they had left"))
            result[p] = base | {
                "status": "funded", "reason": "funded", "round": step_of[p] + 1,
                f"price_per_{per}": price,
                # pabutools' affordability: price per unit of utility (utility = cost for
                # approval ballots, points otherwise).
                "rho": price if data.points else price / data.costs[p],
                "supporters": supporters, "paid_in_full": full,
                "sentence": f"Funded in round {step_of[p] + 1} of Equal Shares: its "
                            f"{supporters} supporters, each starting with an equal share of "
                            f"{money(share, cur)}, bought it for {money(data.costs[p], cur)}; "
                            f"{paid_how}.",
            }
        elif p in run.order:
            result[p] = base | {"status": "funded", "reason": "funded_free",
                                "sentence": "Funded: it costs nothing and has support."}
        elif engine.cost[p] == 0:
            result[p] = base | {"status": "not_funded", "reason": "zero_utility",
                                "sentence": "Not funded by Equal Shares: with approval "
                                            "ballots a voter's gain is the project's cost, so "
                                            "a project that costs nothing counts for nothing."}
        elif engine.total_sat[p] == 0:
            result[p] = base | {"status": "not_funded", "reason": "no_support",
                                "sentence": f"Not funded: nobody gave it any {noun}."}
        else:
            result[p] = base | _unaffordable(engine, run, p, payments)
    return result


class _Payments:
    """What each class of voters paid for each purchase of a run, replayed from its classes."""

    def __init__(self, engine: MesEngine, run: MesRun) -> None:
        self.engine, self.run = engine, run
        self.bits = engine.classes.bits
        self.final = 0
        for q in run.bought:
            self.final |= self.bits[q]
        self.den = run.price_parts[-1][1] if run.bought else 1  # every price's multiple
        self.step_of = {q: t for t, q in enumerate(run.bought)}
        self.bit_owner = {b: (p, s) for p, sat_bits in enumerate(engine.classes.sat_bits)
                          for s, b in sat_bits.items()}
        self._vectors: dict[int, list[tuple[int, int]]] = {}

    def _held(self, c: int, den: int) -> int:
        held = self.run.budgets.get(c)
        # The run may have stored it over a later (larger) denominator: still exact.
        return 0 if held is None else held[0] * den // held[1]

    def full_payers(self, t: int) -> int:
        """Return how many voters paid the full price for the t-th purchase."""
        q = self.run.bought[t]
        price, den = self.run.price_parts[t]
        return sum(n for c, s, n in self.run.path[t].hists[q]
                   if self._held(c, den) >= price * s)

    def vector(self, key: int) -> list[tuple[int, int]]:
        """Return (purchase, amount over that purchase's denominator) for a final class."""
        found = self._vectors.get(key)
        if found is None:
            found = []
            run = self.run
            # The class's own bits name the purchases it took part in, with its utility.
            steps = []
            rest = key
            while rest:
                low = rest & -rest
                rest ^= low
                q, s = self.bit_owner[low]
                steps.append((self.step_of[q], s))
            for t, s in sorted(steps):
                price, den = run.price_parts[t]
                held = self._held(key & run.path[t].mask, den)
                pay = min(held, price * s)
                if pay:
                    found.append((t, pay))
            self._vectors[key] = found
        return found

    def drops(self, p: int) -> list[int]:
        """Return how much p's supporters paid for each purchase, over `den`."""
        classes, run = self.engine.classes, self.run
        node = classes.nodes[self.final]
        hist = node.hists.get(p) or classes.build(p, node)
        totals = [0] * len(run.bought)
        vectors = self._vectors
        for c, _, n in hist:
            for t, pay in vectors.get(c) or self.vector(c):
                totals[t] += pay * n
        return [total * (self.den // part[1])
                for total, part in zip(totals, run.price_parts, strict=True)]


def _unaffordable(engine: MesEngine, run: MesRun, p: int, payments: _Payments) -> Explanation:
    data, unit, cur = engine.data, engine.unit, engine.data.currency
    # Amounts are integers over den (engine units), made Fractions of currency at the end.
    den = payments.den
    scale = den * unit
    cost = Fraction(engine.cost[p], unit)
    need = engine.cost[p] * den
    drops = payments.drops(p)
    start = run.voter_budget * engine.voters[p] * den
    held = start
    dropped_after = None
    taken: dict[int, int] = {}
    if held >= need:
        for t, q in enumerate(run.bought):
            if drops[t]:
                held -= drops[t]
                taken[q] = drops[t]
                if held < need:
                    dropped_after = q
                    break
    top = sorted(taken.items(), key=lambda item: (-item[1], data.ids[item[0]]))[:TOP]
    spent = {data.ids[q]: Fraction(amount, scale) for q, amount in top}
    start_money, held_money = Fraction(start, scale), Fraction(held, scale)
    if dropped_after is None and start < need:
        sentence = (f"Not funded: its supporters' equal shares came to "
                    f"{money(start_money, cur)} in all, less than its cost of "
                    f"{money(cost, cur)}.")
        reason = "supporters_share_too_small"
    elif dropped_after is None:
        sentence = (f"Not funded: when the count ended its supporters still held "
                    f"{money(held_money, cur)} against its cost of {money(cost, cur)}, but others "
                    "were always cheaper per supporter.")
        reason = "not_chosen"
    else:
        names = ", ".join(f"{q} ({money(amount, cur)})" for q, amount in spent.items())
        sentence = (f"Not funded: when it was last considered its supporters held "
                    f"{money(held_money, cur)} against its cost of {money(cost, cur)}; their money "
                    f"had gone to {names}.")
        reason = "supporters_money_spent"
    return {"status": "not_funded", "reason": reason, "held_at_start": start_money,
            "held_when_dropped": held_money, "dropped_after": data.ids[dropped_after]
            if dropped_after is not None else None, "spent_on": spent,
            "sentence": sentence}
