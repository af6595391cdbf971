"""Seed the demo town's live event: Youth Decide night, ready to run from the console."""

from __future__ import annotations

import sqlalchemy as sa

from pb.extensions import db
from pb.models import LiveSession, Round, User
from pb.services import counting, live

ROUND = "Youth Decide 2026"
TITLE = "Youth Decide night at the Town Hall"


def seed_live(facilitator: User) -> str:
    """Create the session (once); return a line saying how to open it."""
    round_ = db.session.scalar(sa.select(Round).where(Round.title == ROUND))
    if round_ is None:
        return "No Youth Decide round, so no live session."
    session = db.session.scalar(sa.select(LiveSession).where(LiveSession.title == TITLE))
    if session is None:
        agenda = [(p.id, 180, 120) for p in counting.ballot_proposals(round_)]
        session = live.do_create(facilitator, round_, TITLE, "open", "scoring", agenda)
    return (f"Live session {session.id} ({TITLE}): join code {session.join_code}; "
            f"console /live/{session.id}/console, projector /live/{session.id}/screen. "
            f"Move {ROUND} to voting before opening scoring.")
