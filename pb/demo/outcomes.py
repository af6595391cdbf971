"""Seed what happened after the demo town's counts: certified results and progress."""

from __future__ import annotations

import sqlalchemy as sa

from pb.extensions import db
from pb.models import Certification, Round, User
from pb.services import counting, outcomes

# (round title, [(project title, status, spent in pounds, note)])
PROGRESS = {
    "Harbourside Improvements 2025": [
        ("Harbour wall murals", "in_progress", 6_000, "Four local artists chosen; painting "
         "starts after the summer festival."),
        ("Outdoor gym", "planned", None, "Equipment ordered; installation booked for March."),
    ],
    "Castle Ward 2024": [
        ("Allotment water supply", "done", 20_400, "Water is on at all 40 plots."),
    ],
}


def seed_outcomes(officer: User) -> str:
    """Certify the demo rounds that have results, and post their progress (once)."""
    done = 0
    for title, updates in PROGRESS.items():
        round_ = db.session.scalar(sa.select(Round).where(Round.title == title))
        if round_ is None or db.session.scalar(sa.select(Certification.id).where(
                Certification.round_id == round_.id)):
            continue
        outcomes.do_certify(officer, round_)
        by_title = {p.title: p for p in counting.ballot_proposals(round_)}
        funded = outcomes.decided(round_, counting.do_count(round_)).funded
        for project, status, pounds, note in updates:
            proposal = by_title.get(project)
            if proposal is not None and counting.project_id(proposal) in funded:
                outcomes.do_update(officer, round_, proposal, status,
                                   None if pounds is None else pounds * 100, note)
        done += 1
    return f"Certified the results of {done} round(s)." if done else "Results already certified."
