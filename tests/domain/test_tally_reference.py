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
