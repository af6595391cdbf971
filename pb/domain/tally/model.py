"""The values a count works on: projects, budget and ballots grouped by identical content."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property, wraps
from math import lcm
from operator import itemgetter
from typing import Any, ParamSpec, TypeVar

from pb.domain.pabulib import POINTS_TYPES, Election, parse_number

Number = int | Fraction
P = ParamSpec("P")
R = TypeVar("R")


class TallyError(ValueError):
    """A count that cannot be run, with a sentence that says why and what to do."""


@dataclass(frozen=True, eq=False)
class TallyInput:
    """Projects, budget and ballots, ready for any rule.

    Ballots are grouped: `groups[g] = (projects, sats, multiplicity)` where `projects` are
    project indices in increasing order and `sats` the utility of each (1 for approval
    ballots, the points otherwise, scaled to integers). Grouping identical ballots is exact
    for every rule here and makes big elections cheap.
    """

    ids: tuple[str, ...]
    costs: tuple[Fraction, ...]
    budget: Fraction
    points: bool
    groups: tuple[tuple[tuple[int, ...], tuple[int, ...], int], ...]
    voters: int
    threshold: Fraction | None = None
    currency: str = ""
    names: tuple[str, ...] = ()
    file_rule: str | None = None
    vote_type: str = "approval"
    points_scale: int = 1

    @cached_property
    def money_scale(self) -> int:
        """Return D, the smallest integer that makes every cost and the budget whole."""
        return lcm(self.budget.denominator, *(c.denominator for c in self.costs))

    @cached_property
    def cost_units(self) -> tuple[int, ...]:
        """Return the costs multiplied by `money_scale`, as integers."""
        scale = self.money_scale
        return tuple(int(c * scale) for c in self.costs)

    @cached_property
    def budget_units(self) -> int:
        """Return the budget multiplied by `money_scale`, as an integer."""
        return int(self.budget * self.money_scale)

    @cached_property
    def support(self) -> tuple[Number, ...]:
        """Return each project's support: approvals, or total points (in the file's units)."""
        totals = [0] * len(self.ids)
        for projects, sats, count in self.groups:
            for p, s in zip(projects, sats, strict=True):
                totals[p] += s * count
        return tuple(Fraction(t, self.points_scale) if self.points_scale != 1 else t
                     for t in totals)

    @cached_property
    def index(self) -> dict[str, int]:
        """Return a map from project id to its index."""
        return {project_id: i for i, project_id in enumerate(self.ids)}

    def money(self, units: Number) -> Fraction:
        """Turn an amount in `money_scale` units back into currency."""
        return Fraction(units) / self.money_scale


def _scale_points(rows: list[tuple[tuple[int, ...], tuple[Number, ...]]]) -> int:
    return lcm(1, *{Fraction(s).denominator for _, sats in rows for s in sats})


def without_cycle_collector(function: Callable[P, R]) -> Callable[P, R]:
    """Run `function` with the cycle collector paused (as `read_pabulib` does).

    Counting allocates many small acyclic objects next to a parsed file's hundreds of
    thousands; the collector would rescan them over and over for nothing.
    """
    @wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()
    return wrapper


@without_cycle_collector
def build_input(
    costs: Mapping[str, Number | str] | Iterable[tuple[str, Number | str]],
    budget: Number | str,
    ballots: Iterable[Sequence[str] | Mapping[str, Number]],
    *,
    kind: str = "approval",
    threshold: Number | str | None = None,
    currency: str = "",
    names: Mapping[str, str] | None = None,
    file_rule: str | None = None,
    vote_type: str | None = None,
) -> TallyInput:
    """Check and group plain values into a TallyInput.

    `kind` is "approval" (ballots are collections of ids; choose-1 is the same), "points"
    (mappings of id to points: cumulative or scoring) or "ordinal" (ranked lists: the first of
    n gets n points, the last 1, as pabulib's score column).
    """
    pairs = list(costs.items()) if isinstance(costs, Mapping) else list(costs)
    ids: list[str] = []
    exact: list[Fraction] = []
    seen: set[str] = set()
    for project_id, cost in pairs:
        project_id = str(project_id)
        if project_id in seen:
            raise TallyError(f"Project id {project_id!r} appears twice; ids must be unique.")
        seen.add(project_id)
        value = _number(cost, f"the cost of project {project_id!r}")
        if value < 0:
            raise TallyError(f"Project {project_id!r} has a negative cost.")
        ids.append(project_id)
        exact.append(value)
    if not ids:
        raise TallyError("There are no projects to count.")
    total = _number(budget, "the budget")
    if total <= 0:
        raise TallyError("The budget must be more than zero.")
    index = {project_id: i for i, project_id in enumerate(ids)}
    # Count identical ballots first (hashing is cheap), then check each distinct one once.
    raw = _count(ballots, kind)
    voters = sum(raw.values())
    if voters == 0:
        raise TallyError("There are no votes to count.")
    counted: dict[Any, int] = {}
    for ballot, count in raw.items():
        key = _ballot_key(ballot, kind, index)
        counted[key] = counted.get(key, 0) + count
    rows = list(counted.items())
    if kind == "approval":
        groups = tuple((key, (1,) * len(key), count) for key, count in rows)
        scale = 1
    else:
        scale = _scale_points([(key[0], key[1]) for key, _ in rows])
        groups = tuple((key[0], tuple(int(s * scale) for s in key[1]), count)
                       for key, count in rows)
    result = TallyInput(
        ids=tuple(ids), costs=tuple(exact), budget=total, points=kind != "approval",
        groups=groups, voters=voters,
        threshold=None if threshold is None else _number(threshold, "the threshold"),
        currency=currency, names=tuple((names or {}).get(i, "") for i in ids),
        file_rule=file_rule, vote_type=vote_type or kind, points_scale=scale)
    return result


def _number(value: Number | str, what: str) -> Fraction:
    if isinstance(value, float):
        raise TallyError(f"Give {what} exactly (an integer, a Fraction or a string), not a float.")
    try:
        return parse_number(value) if isinstance(value, str) else Fraction(value)
    except (ValueError, TypeError):
        raise TallyError(f"{what.capitalize()} ({value!r}) is not a number.") from None


def _count(ballots: Iterable[Sequence[str] | Mapping[str, Number]], kind: str
           ) -> Counter[Any]:
    if not isinstance(ballots, list):  # a stream (from a database): never held whole
        return Counter(_hashable(ballot, kind) for ballot in ballots)
    if kind != "points" and set(map(type, ballots)) <= {tuple}:
        return Counter(ballots)  # tuples of ids (as from_election gives): counted in C
    return Counter(_hashable(ballot, kind) for ballot in ballots)


def _hashable(ballot: Sequence[str] | Mapping[str, Number], kind: str) -> tuple[Any, ...]:
    if kind == "points":
        if not isinstance(ballot, Mapping):
            raise TallyError("Points ballots must map project ids to points.")
        return tuple(ballot.items())
    if isinstance(ballot, str | Mapping):
        raise TallyError("Approval and ordinal ballots must be lists of project ids.")
    return ballot if isinstance(ballot, tuple) else tuple(ballot)


def _ballot_key(ballot: tuple[Any, ...], kind: str, index: dict[str, int]) -> Any:
    if kind == "points":
        items = [(_project(index, project_id), _number(points, "points"))
                 for project_id, points in ballot]
    elif kind == "ordinal":
        ranked = [_project(index, project_id) for project_id in ballot]
        n = len(ranked)
        items = [(p, Fraction(n - position)) for position, p in enumerate(ranked)]
    elif kind == "approval":
        try:
            chosen = set(map(index.__getitem__, ballot))
        except (KeyError, TypeError):
            chosen = {_project(index, project_id) for project_id in ballot}
        return tuple(sorted(chosen))
    else:
        raise TallyError(f"Unknown ballot kind {kind!r}.")
    if len({p for p, _ in items}) != len(items):
        raise TallyError("A ballot names the same project twice.")
    if any(points < 0 for _, points in items):
        raise TallyError("A ballot gives negative points.")
    # A project given 0 points is not supported; keep the voter, drop the entry.
    items = sorted((p, points) for p, points in items if points > 0)
    return (tuple(p for p, _ in items), tuple(points for _, points in items))


def _project(index: dict[str, int], project_id: str) -> int:
    try:
        return index[project_id]
    except KeyError:
        raise TallyError(f"A ballot names project {project_id!r}, which is not in the list of "
                         "projects.") from None


def from_election(election: Election) -> TallyInput:
    """Turn a parsed pabulib file into a TallyInput (ordinal ballots become points)."""
    vote_type = election.vote_type
    if vote_type in POINTS_TYPES:
        kind = "points"
        ballots: Iterable[Any] = (dict(zip(v.projects, v.points or (), strict=True))
                                  for v in election.votes)
    else:
        kind = "ordinal" if vote_type == "ordinal" else "approval"
        ballots = list(map(itemgetter(1), election.votes))  # Vote.projects
    threshold = election.meta.get("min_project_score_threshold")
    return build_input(
        [(p.id, p.cost) for p in election.projects.values()], election.budget, ballots,
        kind=kind, threshold=threshold or None, currency=election.currency,
        names={p.id: p.fields.get("name", "") for p in election.projects.values()},
        file_rule=election.meta.get("rule"), vote_type=vote_type,
    )
