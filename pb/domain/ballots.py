"""Ballot methods: what a valid ballot of each method is, and why an invalid one is not.

Each method takes the raw choices a voter sent (already split into Python values, but not
trusted: forged fields, wrong types and unknown projects all arrive here) and either returns the
ballot in its stored form or raises `BallotError` with one sentence saying what to change.

Stored forms, with project ids as strings:
- approval, knapsack: a list of ids in ballot order, no repeats;
- ranked: a list of ids, first choice first;
- cumulative, scoring: an object of id -> positive whole number.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pb.domain.errors import N_, UserError

_NUMBER = re.compile(r"-?[0-9]{1,6}")  # ASCII digits only: "²" passes isdigit() but not int()
SCORE_MIN = 1
SCORE_MAX = 10
MAX_LIMIT = 1000  # upper bound of any per-round number (picks, ranks, points)


class BallotError(UserError):
    """A ballot that cannot be accepted, with the sentence telling the voter what to change."""


@dataclass(frozen=True)
class BallotRules:
    """Everything a ballot of one round is checked against.

    `costs` maps each project on the ballot (by id) to its cost in minor units; `budget` is in
    the same units. `limit` is the most projects an approval ballot may pick, or how many a
    ranked ballot ranks; `points` and `max_points` are the cumulative total and per-project cap;
    `min_spend` is the share of the budget (in percent) a knapsack ballot must use at least.
    """

    method: str
    costs: Mapping[str, int]
    budget: int
    limit: int | None = None
    points: int | None = None
    max_points: int | None = None
    min_spend: int = 0
    currency: str = "GBP"
    order: tuple[str, ...] = field(default=())

    @property
    def projects(self) -> tuple[str, ...]:
        return self.order or tuple(self.costs)


Items = list[str] | dict[str, int]


class Money(int):
    """An amount in minor units inside an error message, shown as money where it is read."""

    currency: str = "GBP"

    def __new__(cls, minor: int, currency: str) -> Money:
        value = super().__new__(cls, minor)
        value.currency = currency
        return value


def _ids(raw: Any) -> list[str]:
    """Return the project ids of a pick-style ballot, refusing anything that is not a list."""
    if isinstance(raw, Mapping):
        raw = [key for key, value in raw.items() if value]
    if isinstance(raw, (str, bytes)) or not isinstance(raw, Sequence):
        raise BallotError(N_("Send your choices as a list of projects."))
    ids = []
    for item in raw:
        if isinstance(item, bool) or not isinstance(item, (str, int)):
            raise BallotError(N_("Send your choices as a list of projects."))
        ids.append(str(item).strip())
    return ids


def _known(rules: BallotRules, ids: Sequence[str]) -> None:
    for pid in ids:
        if pid not in rules.costs:
            raise BallotError(N_("One of your choices is not a project on this ballot; reload "
                                 "the page and choose again."))


def _no_repeats(ids: Sequence[str], message: str) -> None:
    if len(set(ids)) != len(ids):
        raise BallotError(message)


def _whole(value: Any) -> int | None:
    """Return `value` as a whole number, or None when it is blank; refuse anything else."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise BallotError(N_("Give each project a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if _NUMBER.fullmatch(text):
            return int(text)
    raise BallotError(N_("Give each project a whole number."))


def _numbers(raw: Any) -> dict[str, int]:
    """Return a points-style ballot as id -> number, dropping blanks and zeros."""
    if not isinstance(raw, Mapping):
        raise BallotError(N_("Send your choices as projects with a number for each."))
    numbers: dict[str, int] = {}
    for key, value in raw.items():
        if isinstance(key, bool) or not isinstance(key, (str, int)):
            raise BallotError(N_("Send your choices as projects with a number for each."))
        number = _whole(value)
        if number is None or number == 0:
            continue
        numbers[str(key).strip()] = number
    return numbers


def _nothing_chosen() -> BallotError:
    return BallotError(N_("Choose at least one project before you submit your ballot."))


def check_approval(rules: BallotRules, raw: Any) -> list[str]:
    """Pick up to `limit` projects."""
    ids = _ids(raw)
    _known(rules, ids)
    _no_repeats(ids, N_("Each project can be chosen only once."))
    if not ids:
        raise _nothing_chosen()
    if rules.limit is not None and len(ids) > rules.limit:
        raise BallotError(N_("You have chosen %(chosen)d projects; choose at most %(limit)d."),
                          chosen=len(ids), limit=rules.limit)
    return sorted(ids, key=rules.projects.index)


def check_knapsack(rules: BallotRules, raw: Any) -> list[str]:
    """Pick any projects whose total cost fits the budget (and uses at least `min_spend`%)."""
    ids = _ids(raw)
    _known(rules, ids)
    _no_repeats(ids, N_("Each project can be chosen only once."))
    if not ids:
        raise _nothing_chosen()
    total = sum(rules.costs[pid] for pid in ids)
    if total > rules.budget:
        raise BallotError(N_("Your choices cost %(total)s, more than the budget of %(budget)s; "
                             "remove a project."), total=Money(total, rules.currency),
                          budget=Money(rules.budget, rules.currency))
    needed = -(-rules.budget * rules.min_spend // 100)
    if total < needed:
        raise BallotError(N_("Your choices cost %(total)s; this round asks you to use at least "
                             "%(needed)s of the budget. Add a project."),
                          total=Money(total, rules.currency), needed=Money(needed, rules.currency))
    return sorted(ids, key=rules.projects.index)


def check_cumulative(rules: BallotRules, raw: Any) -> dict[str, int]:
    """Spread up to `points` points, at most `max_points` on one project."""
    numbers = _numbers(raw)
    _known(rules, list(numbers))
    if any(n < 0 for n in numbers.values()):
        raise BallotError(N_("Points cannot be negative."))
    if not numbers:
        raise _nothing_chosen()
    cap = rules.max_points
    if cap is not None and any(n > cap for n in numbers.values()):
        raise BallotError(N_("Give at most %(cap)d points to one project."), cap=cap)
    total = sum(numbers.values())
    if rules.points is not None and total > rules.points:
        raise BallotError(N_("You have given %(total)d points; you have %(points)d to spread. "
                             "Take %(over)d away."),
                          total=total, points=rules.points, over=total - rules.points)
    return {pid: numbers[pid] for pid in rules.projects if pid in numbers}


def check_scoring(rules: BallotRules, raw: Any) -> dict[str, int]:
    """Score any project from 1 to 10, or leave it out."""
    numbers = _numbers(raw)
    _known(rules, list(numbers))
    if any(not SCORE_MIN <= n <= SCORE_MAX for n in numbers.values()):
        raise BallotError(N_("Scores go from %(low)d to %(high)d; leave a project blank to "
                             "skip it."), low=SCORE_MIN, high=SCORE_MAX)
    if not numbers:
        raise _nothing_chosen()
    return {pid: numbers[pid] for pid in rules.projects if pid in numbers}


def check_ranked(rules: BallotRules, raw: Any) -> list[str]:
    """Order up to `limit` projects, first choice first.

    Accepts a list (first choice first) or an object of id -> rank (1 is first); ranks must
    run 1, 2, 3... without gaps or repeats.
    """
    if isinstance(raw, Mapping):
        ranks = _numbers(raw)
        _known(rules, list(ranks))
        if any(r < 1 for r in ranks.values()):
            raise BallotError(N_("Ranks start at 1 for your first choice."))
        ordered = sorted(ranks.values())
        if len(set(ordered)) != len(ordered):
            raise BallotError(N_("Each rank can be given to only one project."))
        if ordered != list(range(1, len(ordered) + 1)):
            raise BallotError(N_("Number your choices 1, 2, 3… without leaving a gap."))
        ids = sorted(ranks, key=ranks.__getitem__)
    else:
        ids = _ids(raw)
        _known(rules, ids)
        _no_repeats(ids, N_("Each project can be ranked only once."))
    if not ids:
        raise _nothing_chosen()
    if rules.limit is not None and len(ids) > rules.limit:
        raise BallotError(N_("You have ranked %(chosen)d projects; rank at most %(limit)d."),
                          chosen=len(ids), limit=rules.limit)
    return ids


METHODS: dict[str, Callable[[BallotRules, Any], Items]] = {
    "approval": check_approval,
    "knapsack": check_knapsack,
    "cumulative": check_cumulative,
    "scoring": check_scoring,
    "ranked": check_ranked,
}


def check_ballot(rules: BallotRules, raw: Any) -> Items:
    """Return the ballot in its stored form, or raise `BallotError` saying what is wrong."""
    try:
        method = METHODS[rules.method]
    except KeyError:
        raise BallotError(N_("This round has no ballot method set; ask the organisers."))\
            from None
    return method(rules, raw)


def check_settings(method: str, *, limit: int | None, points: int | None,
                   max_points: int | None, min_spend: int) -> None:
    """Refuse round settings under which no sensible ballot exists."""
    for value in (limit, points, max_points):
        if value is not None and not 1 <= value <= MAX_LIMIT:
            raise BallotError(N_("Use numbers from 1 to %(max)d for the ballot settings."),
                              max=MAX_LIMIT)
    if not 0 <= min_spend <= 100:
        raise BallotError(N_("The share of the budget to spend is a percentage from 0 to 100."),
                          field="min_spend")
    if method == "cumulative":
        if points is None:
            raise BallotError(N_("Say how many points each voter spreads."), field="points")
        if max_points is not None and max_points > points:
            raise BallotError(N_("The most points on one project cannot be more than the "
                                 "points each voter has."), field="max_points")


def cost_of(rules: BallotRules, items: Items) -> int:
    """Return the total cost of the projects a ballot supports."""
    return sum(rules.costs.get(pid, 0) for pid in items)
