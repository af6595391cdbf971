"""Seed the demo town's proposals in every state: drafts, revisions, reviews, withdrawals."""

from __future__ import annotations

import sqlalchemy as sa

from pb.extensions import db
from pb.models import Proposal, Round, User
from pb.services import accounts
from pb.services.proposals import ProposalData, do_create, do_edit, do_review, do_withdraw

ROUND = "Green Northfield 2027"
CATEGORIES = ["Parks", "Environment", "Community", "Transport", "Play"]
AREAS = ["Northfield", "Mill Lane", "Station Road", "Northfield Library"]
MARKER = "Northfield ice rink"


def _data(title: str, summary: str, pounds: int, category: str, area: str,
          body: str = "") -> ProposalData:
    return ProposalData(title=title, summary=summary, body=body, cost_minor=pounds * 100,
                        category=category, area=area, language="en")


def _find(round_: Round, title: str) -> Proposal | None:
    return db.session.scalar(sa.select(Proposal).where(Proposal.round_id == round_.id,
                                                       Proposal.title == title))


def seed_proposals(officer: User, resident: User) -> str:
    """Give the proposals-phase round proposals in every state; change nothing the second time."""
    round_ = db.session.scalar(sa.select(Round).where(Round.title == ROUND))
    if round_ is None or round_.phase != "proposals" or _find(round_, MARKER) is not None:
        return "Kept the demo proposals"
    round_.categories, round_.areas = CATEGORIES, AREAS
    for proposal in db.session.scalars(sa.select(Proposal).where(Proposal.round_id == round_.id)):
        if proposal.area == round_.area and proposal.category in CATEGORIES:
            continue
        proposal.area = round_.area
    db.session.commit()
    neighbour = accounts.find_by_email("facilitator@demo.example.org") or officer
    park, trees, cafe = (_find(round_, t) for t in (
        "Pocket park on Mill Lane", "Street trees for Station Road", "Repair café"))
    if cafe is not None:
        do_edit(resident, cafe, _data(
            cafe.title, "A monthly repair café in Northfield Library, with tools, volunteers' "
            "training and a tea urn.", 7_000, "Community", "Northfield Library",
            "Bring broken lamps, toasters and clothes; volunteers show you how to fix them."),
            expected_version=cafe.version)
    if park is not None:
        do_review(officer, park, "adjusted", "The plot needs a new fence, which adds £2,000; "
                  "the landowner has agreed in writing.", cost_minor=4_000_000,
                  expected_version=park.version)
    if trees is not None:
        do_review(officer, trees, "feasible", "Highways have approved the planting pits.",
                  expected_version=trees.version)
        verges, _ = do_create(neighbour, round_, _data(
            "Wildflower verges on Station Road", "Let the verges grow wild with native "
            "flowers.", 3_000, "Environment", "Station Road"), submit=True)
        do_review(officer, verges, "merged", "Planted together with the street trees, as one "
                  "project.", merged_into_id=trees.id, expected_version=verges.version)
    rink, _ = do_create(neighbour, round_, _data(
        MARKER, "A temporary ice rink on the green every December.", 39_000, "Play",
        "Northfield"), submit=True)
    do_review(officer, rink, "not_feasible", "The green floods in winter and cannot take the "
              "weight of a rink; the cost would also recur every year, and this fund pays "
              "for one-off projects only.", expected_version=rink.version)
    gone, _ = do_create(resident, round_, _data(
        "Bike racks at the library", "Ten covered bike racks outside Northfield Library.",
        4_000, "Transport", "Northfield Library"), submit=True)
    do_withdraw(resident, gone, "The library is installing racks itself this spring.",
                expected_version=gone.version)
    do_create(resident, round_, _data(
        "Outdoor table tennis", "Two concrete table tennis tables in the park.", 8_000, "Play",
        "Northfield", "Still checking prices with two suppliers."), submit=False)
    return "Created the demo proposals: submitted, feasible, adjusted, not feasible, merged, " \
           "withdrawn and a draft"
