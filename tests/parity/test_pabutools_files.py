"""Every rule on every shared pabulib file, counted by pb and by pabutools 1.2.3 side by side.

Run by the parity job (`./dev parity`, part of `./dev test`) in .venv-pabutools; skipped in
the main environment, which has no pabutools. pabutools reads the file with its own parser
(ordinal ballots become pabulib's scores: n points for the first of n, 1 for the last).

Counts that take pabutools more than LIVE_LIMIT seconds (its time recorded in reference.json,
or any MES+add1 count of the two Warsaw files in reference_slow.json, 8-10 minutes each) are
compared with the recorded selections instead, so the job stays within a few minutes; counts
with nothing recorded run live unless the file is big (then only plain mes runs live: greedy
and Phragmén on the Warsaw files, greedy-threshold on Łódź take pabutools 10-25 s each).
pb's greedy-no-skip has no pabutools counterpart; greedy-threshold is pabutools' greedy on
the projects that reach the threshold.
"""

from __future__ import annotations

import json
from fractions import Fraction
from functools import cache

import pytest

pabutools = pytest.importorskip("pabutools")

from pabutools.election import (  # noqa: E402
    AbstractOrdinalProfile,
    CumulativeBallot,
    CumulativeProfile,
    Instance,
    parse_pabulib,
)

from pb.domain.pabulib import read_pabulib  # noqa: E402
from pb.domain.tally import TallyInput, from_election, tally  # noqa: E402
from tests.parity.pabutools_rules import count_with  # noqa: E402
from tests.shared_data import shared_data  # noqa: E402

DATA = shared_data()
LIVE_LIMIT = 3.0  # seconds of pabutools time (as recorded) for a count run live here
BIG = 10_000  # voters: unrecorded counts of bigger files run live only for plain mes
ENTRIES = json.loads((DATA / "reference.json").read_text(encoding="utf-8"))["entries"]
SLOW = json.loads((DATA / "reference_slow.json").read_text(encoding="utf-8"))["entries"]
RECORDED = {(e["file"], e["rule"]): e for e in ENTRIES + SLOW}
FILES = sorted({e["file"] for e in ENTRIES + SLOW})
RULES = ["greedy", "greedy-threshold", "mes", "mes+add1", "mes+add1-greedy",
         "mes+add1-nostop", "phragmen"]
UNORDERED = {"phragmen"}  # pabutools' Phragmén returns the selection sorted by id


@cache
def ours(name: str) -> TallyInput:
    return from_election(read_pabulib((DATA / "pabulib" / name).read_text(encoding="utf-8")))


@cache
def theirs(name: str) -> tuple[Instance, object, bool]:
    """Return pabutools' instance and profile for a file, and whether it counts points."""
    instance, profile = parse_pabulib(str(DATA / "pabulib" / name))
    if isinstance(profile, AbstractOrdinalProfile):
        profile = CumulativeProfile(
            [CumulativeBallot({p: len(ballot) - i for i, p in enumerate(ballot)})
             for ballot in profile], instance=instance)
        return instance, profile, True
    return instance, profile, profile.__class__.__name__ != "ApprovalProfile"


def recorded_seconds(name: str, rule: str) -> float | None:
    entry = RECORDED.get((name, rule))
    if entry is None and rule in ("mes+add1-greedy", "mes+add1-nostop"):
        entry = RECORDED.get((name, "mes+add1"))  # the slow files record only mes+add1
    if name in {e["file"] for e in SLOW} and rule.startswith("mes+add1"):
        return float("inf")
    return None if entry is None else entry.get("pabutools_seconds")


def cases() -> list[tuple[str, str]]:
    found = []
    for name in FILES:
        for rule in RULES:
            found.append((name, rule))
    return found


@pytest.mark.parametrize(("name", "rule"), cases(), ids=[f"{n[:28]}-{r}" for n, r in cases()])
def test_file_matches_pabutools(name: str, rule: str) -> None:
    data = ours(name)
    if rule == "phragmen" and data.points:
        pytest.skip("pb counts Phragmén on approval ballots only")
    if rule == "greedy-threshold" and data.threshold is None:
        pytest.skip("the file sets no minimum score")
    seconds = recorded_seconds(name, rule)
    if seconds is None and data.voters > BIG and rule != "mes":
        seconds = float("inf")
    if seconds is not None and seconds > LIVE_LIMIT:
        entry = RECORDED.get((name, rule))
        if entry is None:
            pytest.skip(f"pabutools takes over {LIVE_LIMIT:.0f} s here and nothing is recorded")
        outcome = tally(data, rule)
        assert sorted(outcome.selected) == sorted(entry["selected"])
        assert str(outcome.budget_used) == entry["total_cost"]
        if rule not in UNORDERED:
            assert list(outcome.selection_order) == entry["selection_order"]
        return
    instance, profile, points = theirs(name)
    if rule == "greedy-threshold":
        keep = [p for p in instance if data.support[data.index[p.name]] >= data.threshold]
        instance = Instance(keep, budget_limit=instance.budget_limit)
        profile = type(profile)([ballot for ballot in profile], instance=instance)
    selection = count_with(instance, profile, points, rule.replace("-threshold", ""))
    outcome = tally(data, rule)
    assert sorted(outcome.selected) == sorted(selection)
    assert sum(Fraction(str(p.cost)) for p in instance if p.name in selection) == \
        outcome.budget_used
    if rule not in UNORDERED and "greedy" not in rule[1:]:
        # pabutools adds free projects in set order; compare the priced part in order.
        free = {p for p in selection if data.costs[data.index[p]] == 0}
        assert [p for p in outcome.selection_order if p not in free] == \
            [p for p in selection if p not in free]
