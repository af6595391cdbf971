"""Explain an Equal Shares count project by project, by replaying the deciding run."""

from __future__ import annotations

from fractions import Fraction

from pb.domain.tally.greedy import support_noun
from pb.domain.tally.mes import MesEngine, MesRun
from pb.domain.tally.outcome import Explanation, money

TOP = 3  # how many projects a sentence names as having taken the supporters' money


def explain_mes(engine: MesEngine, run: MesRun) -> dict[int, Explanation]:
    """Return an explanation for every project from the run that decided the outcome."""
    data = engine.data
    unit = engine.unit
    share = Fraction(run.voter_budget, unit)
    bought = [q for q in run.order if q in run.prices]
    step_of = {q: t for t, q in enumerate(bought)}
    # Replay payments group by group: pay min(held, price * utility) in buying order.
    paid: list[dict[int, Fraction]] = []
    full_payers = dict.fromkeys(bought, 0)
    for projects, sats, mult in engine.groups:
        held = Fraction(run.voter_budget)
        payments: dict[int, Fraction] = {}
        for q, s in sorted(((q, s) for q, s in zip(projects, sats, strict=True)
                            if q in step_of), key=lambda item: step_of[item[0]]):
            due = run.prices[q] * s
            pay = min(held, due)
            if pay:
                payments[q] = pay
            if pay == due:
                full_payers[q] += mult
            held -= pay
        paid.append(payments)
    noun = support_noun(data)
    cur = data.currency
    result: dict[int, Explanation] = {}
    for p in range(len(data.ids)):
        base: Explanation = {"support": data.support[p], "cost": data.costs[p],
                             "voter_share": share}
        if p in run.prices:
            price = run.prices[p] / unit
            supporters = _supporters(engine, p)
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
            result[p] = base | _unaffordable(engine, run, p, paid, bought)
    return result


def _supporters(engine: MesEngine, p: int) -> int:
    return sum(engine.groups[g][2] for g, _ in engine.supporters[p])


def _unaffordable(engine: MesEngine, run: MesRun, p: int, paid: list[dict[int, Fraction]],
                  bought: list[int]) -> Explanation:
    data, unit, cur = engine.data, engine.unit, engine.data.currency
    cost = Fraction(engine.cost[p], unit)
    drops = [Fraction(0)] * len(bought)
    step_of = {q: t for t, q in enumerate(bought)}
    # Payments take few distinct values (the full price or what was left), so count voters
    # per (project, payment) first and do the Fraction arithmetic once per pair.
    voters = 0
    weights: dict[tuple[int, int, int], int] = {}
    for g, _ in engine.supporters[p]:
        mult = engine.groups[g][2]
        voters += mult
        for q, pay in paid[g].items():
            # Hashing a Fraction costs a modular inverse; its two integers are cheap.
            key = (q, pay.numerator, pay.denominator)
            weights[key] = weights.get(key, 0) + mult
    start = Fraction(run.voter_budget * voters, unit)
    for (q, top, bottom), mult in weights.items():
        drops[step_of[q]] += Fraction(top * mult, bottom * unit)
    held = start
    dropped_after = None
    taken: dict[int, Fraction] = {}
    if held >= cost:
        for t, q in enumerate(bought):
            held -= drops[t]
            if drops[t]:
                taken[q] = drops[t]
            if held < cost:
                dropped_after = q
                break
    top = sorted(taken.items(), key=lambda item: (-item[1], data.ids[item[0]]))[:TOP]
    spent = {data.ids[q]: amount for q, amount in top}
    if dropped_after is None and start < cost:
        sentence = (f"Not funded: its supporters' equal shares came to {money(start, cur)} in "
                    f"all, less than its cost of {money(cost, cur)}.")
        reason = "supporters_share_too_small"
    elif dropped_after is None:
        sentence = (f"Not funded: when the count ended its supporters still held "
                    f"{money(held, cur)} against its cost of {money(cost, cur)}, but others "
                    "were always cheaper per supporter.")
        reason = "not_chosen"
    else:
        names = ", ".join(f"{data.ids[q]} ({money(amount, cur)})" for q, amount in top)
        sentence = (f"Not funded: when it was last considered its supporters held "
                    f"{money(held, cur)} against its cost of {money(cost, cur)}; their money "
                    f"had gone to {names}.")
        reason = "supporters_money_spent"
    return {"status": "not_funded", "reason": reason, "held_at_start": start,
            "held_when_dropped": held, "dropped_after": data.ids[dropped_after]
            if dropped_after is not None else None, "spent_on": spent,
            "sentence": sentence}
