"""What every screen shows, and sending it: snapshots, counts, tallies, results, questions.

Only reads and broadcasts. The `broadcast_*` functions are what the writing use cases queue
with `on_commit`, so a screen never hears of a change that was rolled back; `scored` asks for
throttled tallies (a few a second, however many scores arrive).
"""

from __future__ import annotations

import json
import time
from typing import Any

import sqlalchemy as sa

from pb.broadcast import events
from pb.domain import live as rules
from pb.domain.running import running_counts
from pb.domain.tally.model import without_cycle_collector
from pb.extensions import db
from pb.models import LiveSession, Round
from pb.services import ServiceError, counting
from pb.services.live.store import (
    AGENDA_FRESH,
    BALLOT_TEXTS,
    COUNTS_FRESH,
    PRESENT,
    QUESTIONS_OPEN,
    AnySession,
    cache,
    now_ms,
    pitches,
    state_of,
    view,
)


def present(session: AnySession) -> int:
    """Return how many participants have a connection open now."""
    row = PRESENT.first({"id": session.id})
    return int(row[0]) if row else 0


def questions(session: AnySession) -> list[dict[str, Any]]:
    """Return the open questions on the current pitch, most up-voted first."""
    rows = QUESTIONS_OPEN.all({"id": session.id, "position": session.current})
    return [{"id": qid, "text": text, "votes": votes} for qid, text, votes in rows]


def recent_counts(session: AnySession) -> tuple[dict[str, Any], int]:
    """Return the session's tally and presence count, reusing ones from the last moment.

    A hall of phones joining at once would otherwise recount every ballot and every
    connection for each join; broadcasts always count afresh (`tally`, `present`).
    """
    cached = cache().counts.get(session.id)
    if cached is not None and time.monotonic() - cached[0] < COUNTS_FRESH:
        return cached[1], cached[2]
    return _count(session)


def _count(session: AnySession) -> tuple[dict[str, Any], int]:
    counted, here = tally(session), present(session)
    cache().counts[session.id] = (time.monotonic(), counted, here)
    return counted, here


@without_cycle_collector  # thousands of small dicts, no cycles
def tally(session: AnySession) -> dict[str, Any]:
    """Return how many scores each pitch has (phones and paper) and their totals: the
    domain's running counts, for the pitches on the agenda."""
    ids = [str(i.proposal_id) for i in pitches(session)]
    texts, paper = db.session.connection().execute(
        BALLOT_TEXTS, {"round_id": session.round_id}).one()
    counted = running_counts(json.loads(f"[{texts or ''}]"), points=True)
    return {"scored": {pid: counted.mentions.get(pid, 0) for pid in ids},
            "totals": {pid: counted.support.get(pid, 0) for pid in ids},
            "paper": int(paper or 0)}


def results(session: AnySession) -> dict[str, Any]:
    """Count the round with its rule: the funded projects in the order they were funded.

    Kept for a moment per session version: a room of phones rejoining after the reveal
    would otherwise count the round once each."""
    kept = cache().results
    found = kept.get(session.id)
    now = time.monotonic()
    if found is not None and found[0] == session.version and now - found[1] < AGENDA_FRESH:
        return found[2]
    round_ = db.session.get(Round, session.round_id)
    try:
        count = counting.do_count(round_)
    except ServiceError as error:
        return {"error": str(error), "funded": []}
    outcome = count.outcome
    by_pid = {counting.project_id(p): p for p in count.proposals.values()}
    funded = [{"id": by_pid[pid].id, "title": by_pid[pid].title,
               "cost": by_pid[pid].cost_minor}
              for pid in outcome["selection_order"] if pid in by_pid]
    counted = {"funded": funded, "budget": round_.budget_minor, "currency": round_.currency}
    kept[session.id] = (session.version, now, counted)
    return counted


def snapshot(session: AnySession, *, console: bool = False,
             fresh: bool = False) -> dict[str, Any]:
    """Return the full state every screen draws from (see docs/live.md).

    `fresh` counts now; otherwise counts from the last moment may serve (joins). `controls`
    and `next_control` are the console's buttons in this state, from the domain's rule."""
    items = pitches(session)
    current = items[session.current] if items and session.current < len(items) else None
    counts, here = _count(session) if fresh else recent_counts(session)
    show_values = console or session.revealed
    offered, usual = rules.controls(state_of(session), items=len(items))
    return events.live_state_payload(
        session, agenda=[i.as_dict() for i in items],
        current=current.as_dict() if current else None,
        now=now_ms(), present=here, questions=questions(session),
        scored=counts["scored"], paper=counts["paper"],
        totals=counts["totals"] if show_values else None,
        results=results(session) if session.revealed else None,
        controls=list(offered), next_control=usual)


# Broadcasting (queued with on_commit, or after a commit) -----------------------------------

def broadcast_state(session: AnySession) -> None:
    """Send the session's new state to every screen (totals to consoles only)."""
    events.live_state(session.id, snapshot(session, fresh=True),
                      snapshot(session, console=True))


def broadcast_questions(session: AnySession) -> None:
    """Send the current pitch's open questions to every screen."""
    events.live_questions(session.id, questions(session))


def scored(session_id: int, phones: bool = True) -> None:
    """Schedule throttled `tally` broadcasts for the session (call after a commit).

    Screens and consoles get a few a second; phones fewer (see `events`), as each of theirs
    is a message to every phone. `phones=False` when only the presence count changed,
    which phones do not show: a hall joining at once then costs a few messages a second.
    """
    kept = cache()
    kept.screens.request(f"live:{session_id}", lambda: _send_tally(session_id, False))
    if phones:
        kept.phones.request(f"live:{session_id}", lambda: _send_tally(session_id, True))


def _send_tally(session_id: int, phones: bool) -> None:
    session = view(session_id)
    if session is not None:  # counted afresh, so the latest change is always included
        counts, here = _count(session)
        (events.live_phone_tally if phones else events.live_tally)(session, counts, here)


def round_ballots_changed(round_id: int) -> None:
    """Refresh the tallies of every live session of a round (say, paper cards counted)."""
    for session_id in db.session.scalars(sa.select(LiveSession.id).where(
            LiveSession.round_id == round_id, LiveSession.phase != "revealed")):
        scored(session_id)
