"""pabulib projects' latitude and longitude: kept as places on import, written back on export."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pb.domain.pabulib import read_pabulib
from pb.extensions import db
from pb.models import Proposal, ProposalRevision
from pb.services import pabulib_io, proposals
from tests.shared_data import shared_data

DATA = shared_data() / "pabulib"
GREEN = "Poland_Wieliczka_2023_Green_Budget.pb"  # every project but one has a place
MOKOTOW = "Poland_Warszawa_2022_Mokotow.pb"  # some projects have one, some not

SMALL = """META
key;value
description;Small
budget;100
vote_type;approval
rule;greedy
currency;EUR
PROJECTS
project_id;cost;name;latitude;longitude
a;60;Alpha;51.4816;-3.1791
b;50;Beta;north;east
c;40;Gamma;95;10
VOTES
voter_id;vote
1;a
2;b,c
"""


def raw(name: str) -> str:
    with open(DATA / name, encoding="utf-8-sig", newline="") as handle:
        return handle.read()


def projects_section(text: str) -> list[str]:
    """The PROJECTS lines of a file, header included."""
    lines = text.replace("\r\n", "\n").split("\n")
    start = lines.index("PROJECTS")
    end = lines.index("VOTES")
    return lines[start:end]


def imported(name: str) -> Any:
    return pabulib_io.do_import(raw(name), None, name=name)


def by_external_id(round_: Any) -> dict[str, Proposal]:
    return {p.external_id: p for p in db.session.scalars(
        sa.select(Proposal).where(Proposal.round_id == round_.id))}


def test_import_keeps_each_projects_latitude_and_longitude(app: Any) -> None:
    round_ = imported(GREEN)
    found = by_external_id(round_)
    original = read_pabulib(raw(GREEN)).projects
    assert sum(p.latitude is not None for p in found.values()) == len(found) - 1
    assert found["59"].latitude is None and found["59"].longitude is None
    assert (found["24"].latitude, found["24"].longitude) == (49.9873919, 20.0835982)
    assert (found["41"].latitude, found["41"].longitude) == (50.0170563149589, 20.114811182197)
    for project_id, project in original.items():
        if project_id == "59":
            continue
        assert found[project_id].latitude == float(project.fields["latitude"])
        assert found[project_id].longitude == float(project.fields["longitude"])


def test_projects_without_a_place_have_none(app: Any) -> None:
    found = by_external_id(imported(MOKOTOW))
    assert found["566"].latitude is None and found["566"].longitude is None
    assert any(p.latitude is not None for p in found.values())


def test_untouched_places_export_exactly_as_written(app: Any) -> None:
    for name in (GREEN, MOKOTOW):
        text = raw(name)
        exported = pabulib_io.export(imported(name))
        assert projects_section(exported) == projects_section(text), name


def test_an_edited_place_is_written_back_and_the_others_are_not_touched(
        app: Any, make_user: Any) -> None:
    officer = make_user("officer")
    round_ = imported(GREEN)
    found = by_external_id(round_)
    proposals.do_set_place(officer, found["24"], 50.05, 19.94, "Rynek Górny",
                           expected_version=None)
    proposals.do_set_place(officer, found["41"], None, None, "", expected_version=None)
    before = projects_section(raw(GREEN))
    after = projects_section(pabulib_io.export(round_))
    assert after[1] == before[1]  # the header: same columns in the same order
    changed = {i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}
    rows = {line.split(";")[0]: line for line in after[2:]}
    assert rows["24"].endswith(";50.05;19.94") and rows["41"].endswith(";;")
    assert len(changed) == 2
    revision = db.session.scalar(sa.select(ProposalRevision).where(
        ProposalRevision.proposal_id == found["24"].id))
    assert revision.changes["latitude"] == {"before": 49.9873919, "after": 50.05}
    # Import the export: the new place comes back.
    again = by_external_id(pabulib_io.do_import(pabulib_io.export(round_), None, name="again"))
    assert (again["24"].latitude, again["24"].longitude) == (50.05, 19.94)
    assert again["41"].latitude is None


def test_a_place_off_the_earth_or_unreadable_is_kept_only_as_written(app: Any) -> None:
    round_ = pabulib_io.do_import(SMALL, None, name="small.pb")
    found = by_external_id(round_)
    assert (found["a"].latitude, found["a"].longitude) == (51.4816, -3.1791)
    assert found["b"].latitude is None and found["c"].latitude is None
    assert projects_section(pabulib_io.export(round_)) == projects_section(SMALL)


def test_a_round_run_here_exports_its_places(app: Any, make_round: Any,
                                             make_user: Any) -> None:
    officer = make_user("officer")
    round_ = make_round("deliberation", officer=officer)
    placed, unplaced = (Proposal(round_id=round_.id, title=t, summary="", cost_minor=100_00,
                                 status="feasible") for t in ("Benches", "Bins"))
    db.session.add_all([placed, unplaced])
    db.session.commit()
    proposals.do_set_place(officer, placed, 51.4816, -3.1791, "Mill Lane",
                           expected_version=None)
    election = read_pabulib(pabulib_io.export(round_))
    assert election.project_columns[-2:] == ("latitude", "longitude")
    assert election.projects[str(placed.id)].fields["latitude"] == "51.4816"
    assert election.projects[str(placed.id)].fields["longitude"] == "-3.1791"
    assert election.projects[str(unplaced.id)].fields.get("latitude", "") == ""
