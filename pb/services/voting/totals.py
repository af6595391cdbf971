"""Running totals while voting is open, for rounds that choose to show them (off by default,
since early totals sway voters), broadcast a few times a second at most."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from pb.broadcast import events
from pb.broadcast.throttle import Throttle
from pb.domain.rounds import TALLY_KINDS
from pb.domain.running import running_counts
from pb.domain.tally.model import without_cycle_collector
from pb.extensions import app_state, db
from pb.models import Ballot, Round
from pb.services.voting.store import AnyRound

INTERVAL = 0.3  # seconds between broadcasts of one round's totals
# Counting reads every ballot of the round, so with many ballots the broadcasts are spaced
# further apart: at most this share of the server's time goes on them.
MAX_SHARE = 0.1


def _throttle() -> Throttle:
    """Return this app's throttle: a send still pending for one app's round 1 must not
    swallow another's."""
    return app_state("pb.totals", lambda: Throttle(INTERVAL))


def shown(round_: AnyRound) -> bool:
    """Tell whether the round shows running totals now."""
    return round_.running_totals and round_.phase == "voting"


@without_cycle_collector  # thousands of small lists, no cycles
def totals(round_: Round) -> dict[str, Any]:
    """Return each project's support so far: approvals, points, or ranked appearances."""
    points = TALLY_KINDS[round_.ballot_method] == "points"
    # The ballots come back as JSON text, parsed in one go: one json.loads per row (what the
    # JSON column type does) costs several times more once a round has thousands of ballots.
    # Through the connection: the session would handle each row as an ORM result, slowly.
    texts = db.session.connection().execute(
        sa.select(sa.cast(Ballot.items, sa.Text)).where(Ballot.round_id == round_.id)
    ).scalars().all()
    everything = json.loads("[" + ",".join(t or "[]" for t in texts) + "]")
    counted = running_counts(everything, points=points)
    return {"ballots": counted.ballots, "support": counted.support}


# Features that show a round's counts elsewhere (a live session's projector) ask to be told
# when ballots arrive other than one by one (a counted batch of paper ballots). Voting is
# below them, so they register here instead of being imported.
_ballots_added: list[Callable[[int], None]] = []


def when_ballots_added(listener: Callable[[int], None]) -> None:
    """Call `listener(round_id)` after every commit that adds a batch of ballots to a round."""
    if listener not in _ballots_added:
        _ballots_added.append(listener)


def ballots_added(round_id: int) -> None:
    """Tell the registered listeners that a round received a batch of ballots (after the
    commit)."""
    for listener in _ballots_added:
        listener(round_id)


def ballot_cast(round_: AnyRound) -> None:
    """Schedule a broadcast of the round's totals, if it shows them (call after the commit)."""
    if not shown(round_):
        return
    round_id = round_.id
    throttle = _throttle()

    def send() -> None:
        current = db.session.get(Round, round_id)
        if current is not None and shown(current):
            started = time.monotonic()
            counted = totals(current)
            throttle.interval = max(INTERVAL, (time.monotonic() - started) / MAX_SHARE)
            events.round_totals(round_id, counted)

    throttle.request(f"round:{round_id}", send)
