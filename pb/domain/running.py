"""Running counts while voting is open: how many ballots name each project, and its support.

One pure function serves an online round's running totals (`round_totals`) and a live
session's running tally (`tally`), which show the same idea to different screens. These are
not the count that decides the result: that is `pb.domain.tally`, run once voting closes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain
from operator import methodcaller
from typing import Any


@dataclass(frozen=True)
class RunningCounts:
    """The counts so far: `ballots` cast; `mentions`, the ballots naming each project;
    `support`, each project's points (scoring and cumulative ballots) or approvals."""

    ballots: int
    mentions: dict[str, int]
    support: dict[str, int]


def running_counts(ballots: Iterable[Any], *, points: bool) -> RunningCounts:
    """Count ballots' items: a dict gives points per project, a list names projects.

    With `points` false (approval, knapsack, ranked) support is the number of ballots
    naming a project; with `points` true a dict's values are added up and a listed project
    counts one. The loops are Counter's and map's, in C: a hall's ballots are thousands.
    """
    everything = list(ballots)
    dicts = [b for b in everything if isinstance(b, dict)]
    lists = [b for b in everything if isinstance(b, list)]
    listed = Counter(chain.from_iterable(lists))
    mentions = Counter(chain.from_iterable(dicts))
    mentions.update(listed)
    if points:
        support = {pid: sum(map(int, map(methodcaller("get", pid, 0), dicts))) + listed[pid]
                   for pid in mentions}
    else:
        support = dict(mentions)
    return RunningCounts(len(everything), dict(mentions), support)
