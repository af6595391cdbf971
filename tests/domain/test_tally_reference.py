"""Every selection in reference.json (pabutools 1.2.3) is reproduced exactly."""

from __future__ import annotations

import json
from functools import cache

import pytest

from pb.domain.pabulib import read_pabulib
from pb.domain.tally import TallyInput, default_rule, from_election, tally
from tests.shared_data import shared_data

DATA = shared_data()
REFERENCE = DATA / "reference.json"
# Orders pabutools does not define: its Phragmén returns the selection sorted by id.
UNORDERED = {"phragmen"}

ENTRIES = json.loads(REFERENCE.read_text(encoding="utf-8"))["entries"]


@cache
def load(name: str) -> TallyInput:
    """Read a shared .pb file once per test session."""
    return from_election(read_pabulib((DATA / "pabulib" / name).read_text(encoding="utf-8")))


@pytest.mark.parametrize("entry", ENTRIES, ids=[f"{e['file'][:28]}-{e['rule']}" for e in ENTRIES])
def test_matches_pabutools(entry: dict) -> None:
    outcome = tally(load(entry["file"]), entry["rule"])
    assert sorted(outcome.selected) == sorted(entry["selected"])
    assert str(outcome.budget_used) == entry["total_cost"]
    if entry["rule"] not in UNORDERED:
        assert list(outcome.selection_order) == entry["selection_order"]
    assert set(outcome.projects) == set(load(entry["file"]).ids)
    for project_id, explanation in outcome.projects.items():
        funded = explanation["status"] == "funded"
        assert funded == (project_id in outcome.selected)
        assert explanation["sentence"]


OFFICIAL = ["Netherlands_Assen_2024.pb", "Poland_Katowice_2023_Ligota_-_Panewniki.pb",
            "Poland_Krakow_2025_Biezanow-Prokocim.pb", "Poland_Lodz_2022.pb",
            "Poland_Swiecie_2023.pb", "Poland_Wieliczka_2023_Green_Budget.pb",
            "Poland_Wroclaw_2016_Rejon_nr_10_750.pb"]


@pytest.mark.parametrize("name", OFFICIAL)
def test_meta_rule_reproduces_official_selection(name: str) -> None:
    """The rule named in META gives the `selected` column (the city's official winners)."""
    election = read_pabulib((DATA / "pabulib" / name).read_text(encoding="utf-8"))
    official = {p.id for p in election.projects.values() if p.fields.get("selected") == "1"}
    data = load(name)
    outcome = tally(data, *default_rule(data))
    assert set(outcome.selected) == official


# Two Warsaw districts where MES with add1 makes hundreds of reruns; pabutools took 8-10
# minutes for each, so they have their own file (mes+add1 only).
SLOW_ENTRIES = json.loads((DATA / "reference_slow.json").read_text(encoding="utf-8"))["entries"]


@pytest.mark.parametrize("entry", SLOW_ENTRIES, ids=[e["file"][:28] for e in SLOW_ENTRIES])
def test_slow_files_match_pabutools(entry: dict) -> None:
    data = load(entry["file"])
    outcome = tally(data, entry["rule"])
    assert list(outcome.selection_order) == entry["selection_order"]
    assert sorted(outcome.selected) == sorted(entry["selected"])
    assert str(outcome.budget_used) == entry["total_cost"]
    # mes+add1-greedy (pabutools' completion_by_rule_combination): the same Equal Shares
    # outcome, then greedy by votes over what is left, until nothing else fits.
    completed = tally(data, "mes+add1-greedy")
    mes_part = len(entry["selection_order"])
    assert list(completed.selection_order[:mes_part]) == entry["selection_order"]
    left = data.budget - completed.budget_used
    chosen = set(completed.selected)
    assert all(cost > left for project_id, cost in zip(data.ids, data.costs, strict=True)
               if project_id not in chosen)
    extra = list(completed.selection_order[mes_part:])
    support = dict(zip(data.ids, data.support, strict=True))
    assert extra == sorted(extra, key=lambda p: (-support[p], p))
