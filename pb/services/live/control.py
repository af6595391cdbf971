"""The facilitator's controls during the night: the only writes to a session's state.

The domain's state machine (`pb.domain.live.apply`) decides what a control does; this stores
the new state with a compare-and-set on the session's version, then tells every screen.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from pb.domain import live as rules
from pb.domain.errors import N_
from pb.extensions import db
from pb.models import LiveSession, User
from pb.services import ServiceError, audit, on_commit, unit_of_work
from pb.services.live.screens import broadcast_state, tonights_result
from pb.services.live.setup import require_runner
from pb.services.live.store import now_ms, state_of


def do_control(actor: User | None, session: LiveSession, action: Any,
               expected_version: int | None = None) -> LiveSession:
    """Apply a facilitator's control, store the new state, then tell every screen.

    `expected_version` is the version the console saw: a console that had not seen the
    latest state is refused before anything else is checked.
    """
    with unit_of_work():
        require_runner(actor)
        version = session.version  # the ORM update below moves session.version on in memory
        rules.check_version(expected_version, version)
        if not isinstance(action, str):
            raise ServiceError(N_("That is not something the console can do."))
        if action in ("open_scoring", "open_scoring_all") and session.round.phase != "voting":
            raise ServiceError(N_("The round is not in its voting phase, so scores cannot be "
                                  "taken. Open the round for voting first, with the button "
                                  "at the top of the console."))
        items = session.items
        new = rules.apply(state_of(session), action, now=now_ms(), items=len(items),
                          pitch_seconds=[i.pitch_seconds for i in items],
                          question_seconds=[i.question_seconds for i in items])
        # The reveal keeps tonight's result with the session, so what the room saw stays as
        # it was (a later online ballot cannot reorder it); taking it off forgets it.
        kept: dict[str, Any] = {}
        if action == "reveal":
            kept["revealed_result"] = tonights_result(session)
        elif action == "hide_results":
            kept["revealed_result"] = None
        # Compare-and-set on the version, so two consoles pressing at once cannot interleave.
        moved = db.session.execute(
            sa.update(LiveSession).where(LiveSession.id == session.id,
                                         LiveSession.version == version)
            .values(version=LiveSession.version + 1, **asdict(new), **kept)).rowcount
        if moved != 1:
            raise rules.stale()
        details: dict[str, Any] = {}
        if kept.get("revealed_result"):
            result = kept["revealed_result"]
            details = {"funded": [p["id"] for p in result["funded"]],
                       "provisional": result["provisional"]}
        audit.record(actor, "live.control", "live_session", session.id, control=action,
                     **details)
        on_commit(broadcast_state, session)  # read afresh: the commit expires `session`
    return session
