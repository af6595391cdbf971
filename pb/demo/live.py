"""Seed the demo town's live event: Youth Decide night, ready to run from the console.

The facilitator's login is enough for the whole evening: the console opens the round for
voting (it is in deliberation, so the demo's discussion stays open until then), and its
link leads to the paper scorecards.
"""

from __future__ import annotations

import sqlalchemy as sa

from pb.domain import live as rules
from pb.extensions import db
from pb.models import LiveSession, Round, User
from pb.services import counting, live

ROUND = "Youth Decide 2026"
TITLE = "Youth Decide night at the Town Hall"
FACILITATOR = "facilitator@demo.example.org"  # runs the whole evening alone


def seed_live(facilitator: User) -> str:
    """Create the session (once); return a line saying how to open it."""
    round_ = db.session.scalar(sa.select(Round).where(Round.title == ROUND))
    if round_ is None:
        return "No Youth Decide round, so no live session."
    session = db.session.scalar(sa.select(LiveSession).where(LiveSession.title == TITLE))
    if session is None:
        agenda = [(p.id, 180, 120) for p in counting.ballot_proposals(round_)]
        # Youth mode: the room's questions wait for the facilitator, as the form proposes.
        session = live.do_create(facilitator, round_, TITLE, "open", "scoring", agenda,
                                 moderated=rules.moderated_by_default("open"))
    ready = ("scoring can open" if round_.phase == "voting" else
             'press "Open the round for voting" on the console before opening scoring')
    return (f"Live session {session.id} ({TITLE}): join code {session.join_code}; "
            f"console /live/{session.id}/console, projector /live/{session.id}/screen, "
            f"both as {FACILITATOR}, who also enters paper scorecards from the console; "
            f"{ROUND} is in {round_.phase}: {ready}.")
