"""Seed a demo round that votes with printed codes, so a newcomer can try a code at once.

The codes are drawn afresh (with `secrets`, like real ones) each time the round is created,
printed once by `pb demo`, and stored only as keyed hashes: a demo served on the internet
cannot be voted in with codes copied from this source or from another demo.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pb.domain import phases
from pb.domain.eligibility import keyed_hash, new_code, show_code
from pb.extensions import db
from pb.models import AccessCode, Proposal, Round, User
from pb.models.base import utcnow
from pb.services import rounds
from pb.services.voting import voting_key

TITLE = "Schools' Choice 2026"
CODES = 6
PROJECTS = [
    ("Outdoor classroom", "A covered outdoor classroom with benches for 30 pupils.", 6_000,
     "Learning"),
    ("Reading corner", "Bean bags, shelves and 300 new books for the library corner.", 2_500,
     "Learning"),
    ("Water refill stations", "Three water fountains with bottle fillers on the field.", 3_500,
     "Health"),
    ("Playground markings", "Games painted on the playground: hopscotch, a maze, a map.",
     1_800, "Play"),
]


def seed_voting(officer: User, author: User) -> tuple[Round, bool, list[str]]:
    """Create the codes round (once); return it, whether it is new, and lines saying how to
    try it (the codes themselves only when they were just made: only their hashes are kept)."""
    round_ = db.session.scalar(sa.select(Round).where(Round.title == TITLE))
    if round_ is not None:
        return round_, False, [
            f"Voting codes for round {round_.id} ({TITLE}) were printed when it was created; "
            "an officer can make more under 'Voting codes and printable cards'."]
    now = utcnow().replace(second=0, microsecond=0)
    here = phases.index("voting")
    starts = {p: now + timedelta(days=7 * (phases.index(p) - here))
              for p in phases.PUBLIC_PHASES}
    round_ = rounds.do_create_round(officer, rounds.RoundData(
        title=TITLE, area="Afonbridge schools", budget_minor=10_000 * 100, currency="GBP",
        ballot_method="approval", tally_rule="greedy", language="en", starts=starts,
        description="Pupils choose up to two projects for their school grounds. Each "
                    "pupil has a card with a voting code and a QR code.",
        ballot_limit=2, eligibility="codes"))
    for title, summary, pounds, category in PROJECTS:
        db.session.add(Proposal(round_id=round_.id, author_id=author.id, title=title,
                                summary=summary, cost_minor=pounds * 100, category=category,
                                area="Afonbridge schools", status="feasible",
                                language="en"))
    key = voting_key()
    codes = [new_code() for _ in range(CODES)]
    for code in codes:
        db.session.add(AccessCode(round_id=round_.id, batch="Demo cards",
                                  code_hash=keyed_hash(key, "code", code)))
    db.session.commit()
    for step in phases.PHASES[1:here + 1]:
        rounds.do_change_phase(officer, round_, step)
    return round_, True, [f"Voting codes for round {round_.id} ({TITLE}), each votes once:",
                          *(f"  {show_code(code)}" for code in codes)]
