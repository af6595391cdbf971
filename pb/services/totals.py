"""Running totals while voting is open, for rounds that choose to show them (off by default,
since early totals sway voters), broadcast a few times a second at most."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pb.domain.rounds import TALLY_KINDS
from pb.extensions import db
from pb.models import Ballot, Round
from pb.realtime import events
from pb.realtime.throttle import Throttle

INTERVAL = 0.3  # seconds between broadcasts of one round's totals
_throttle = Throttle(INTERVAL)


def shown(round_: Round) -> bool:
    """Tell whether the round shows running totals now."""
    return round_.running_totals and round_.phase == "voting"


def totals(round_: Round) -> dict[str, Any]:
    """Return each project's support so far: approvals, points, or ranked appearances."""
    points = TALLY_KINDS[round_.ballot_method] == "points"
    support: dict[str, int] = {}
    ballots = 0
    for items in db.session.scalars(sa.select(Ballot.items).where(Ballot.round_id == round_.id)):
        ballots += 1
        if points and isinstance(items, dict):
            for pid, value in items.items():
                support[pid] = support.get(pid, 0) + int(value)
        else:
            for pid in items:
                support[pid] = support.get(pid, 0) + 1
    return {"ballots": ballots, "support": support}


def ballot_cast(round_: Round) -> None:
    """Schedule a broadcast of the round's totals, if it shows them (call after the commit)."""
    if not shown(round_):
        return
    round_id = round_.id

    def send() -> None:
        current = db.session.get(Round, round_id)
        if current is not None and shown(current):
            events.round_totals(round_id, totals(current))

    _throttle.request(f"round:{round_id}", send)
