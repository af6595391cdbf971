"""What every screen shows, and sending it: snapshots, counts, tallies, results, questions.

Only reads and broadcasts. The `broadcast_*` functions are what the writing use cases queue
with `on_commit`, so a screen never hears of a change that was rolled back; `scored` asks for
throttled tallies (a few a second, however many scores arrive).
"""

from __future__ import annotations

import json
import logging
import time
from typing import Any

import sqlalchemy as sa
from flask import current_app

from pb.broadcast import events, turns
from pb.domain import live as rules
from pb.domain import tally as tally_rules
from pb.domain.running import running_counts
from pb.domain.tally.model import without_cycle_collector
from pb.extensions import db, socketio
from pb.models import Ballot, LiveParticipant, LiveQuestion, LiveSession, Round
from pb.services import ServiceError, counting, voting
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

CONSOLE_QUESTIONS = 100  # held and shown questions the console lists at most
# Seconds without a phone joining or scoring on this process before it stops counting for its
# phones (several processes): an evening, so a long pitch never leaves them behind.
WATCH_IDLE = 4 * 3600.0
# How long the process counting a session's phone tallies holds it, renewed on each count.
LEASE_SECONDS = 4 * events.LIVE_PHONE_TALLY_INTERVAL


def present(session: AnySession) -> int:
    """Return how many participants have a connection open now."""
    row = PRESENT.first({"id": session.id})
    return int(row[0]) if row else 0


def questions(session: AnySession) -> list[dict[str, Any]]:
    """Return the shown questions on the current pitch, most up-voted first (held ones, in
    a moderated session, are on the console only)."""
    rows = QUESTIONS_OPEN.all({"id": session.id, "position": session.current})
    return [{"id": qid, "text": text, "votes": votes} for qid, text, votes in rows]


def console_questions(session: AnySession) -> list[dict[str, Any]]:
    """Return the questions the console lists for the current pitch: those held for
    approval first (oldest first), then the shown ones, most up-voted first."""
    rows = db.session.execute(
        sa.select(LiveQuestion.id, LiveQuestion.text, LiveQuestion.votes, LiveQuestion.state)
        .where(LiveQuestion.session_id == session.id,
               LiveQuestion.position == session.current,
               LiveQuestion.state.in_(("pending", "open")))
        .order_by(LiveQuestion.state != "pending", LiveQuestion.votes.desc(), LiveQuestion.id)
        .limit(CONSOLE_QUESTIONS)).all()
    return [{"id": qid, "text": text, "votes": votes, "state": state}
            for qid, text, votes, state in rows]


def question_states(session: AnySession) -> dict[str, dict[str, str]]:
    """Return where each question on the current pitch is, by id, as its asker's phone says
    it: "waiting" (for the facilitator), "shown", "hidden" (with the reason) or "answered".
    No texts: the asker knows which id is theirs."""
    rows = db.session.execute(
        sa.select(LiveQuestion.id, LiveQuestion.state, LiveQuestion.hidden_reason)
        .where(LiveQuestion.session_id == session.id,
               LiveQuestion.position == session.current)).all()
    states: dict[str, dict[str, str]] = {}
    for qid, state, reason in rows:
        states[str(qid)] = {"state": rules.asker_state(state)}
        if state == "hidden" and reason:
            states[str(qid)]["reason"] = reason
    return states


def recent_counts(session: AnySession) -> tuple[dict[str, Any], int]:
    """Return the session's tally and presence count, reusing ones from the last moment.

    A hall of phones joining at once would otherwise recount every ballot and every
    connection for each join; broadcasts always count afresh (`tally`, `present`).
    """
    counted, here, _seq = _recent(session, events.next_seq(events.live_room(session.id)))
    return counted, here


def _recent(session: AnySession, seq: int) -> tuple[dict[str, Any], int, int]:
    """Return recent counts and the `seq` they go with: `seq` (taken before reading) when
    counted now, or the one taken before the reused counts were read, which is older."""
    cached = cache().counts.get(session.id)
    if cached is not None and time.monotonic() - cached[0] < COUNTS_FRESH:
        return cached[1], cached[2], min(seq, cached[3])
    return (*_count(session, seq), seq)


def _count(session: AnySession, seq: int) -> tuple[dict[str, Any], int]:
    """Count now; `seq` is the one taken before, kept with the counts for events reusing
    them."""
    counted, here = tally(session), present(session)
    cache().counts[session.id] = (time.monotonic(), counted, here, seq)
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
    """Return tonight's result: the result kept at the reveal, or else counted now.

    Kept for a moment per session version: a room of phones rejoining after the reveal
    would otherwise read it once each."""
    kept = cache().results
    found = kept.get(session.id)
    now = time.monotonic()
    if found is not None and found[0] == session.version and now - found[1] < AGENDA_FRESH:
        return found[2]
    stored = db.session.scalar(sa.select(LiveSession.revealed_result)
                               .where(LiveSession.id == session.id))
    counted = stored if stored is not None else tonights_result(session)
    kept[session.id] = (session.version, now, counted)
    return counted


def tonights_result(session: AnySession) -> dict[str, Any]:
    """Count tonight's result with the round's rule: only the agenda's pitches, scored by
    tonight's phones (this session's participants) and paper (cards counted since the
    session was set up). A pitch nobody scored is left out, so it is never funded.

    The funded projects come in the order they were funded. `provisional` when the round
    still takes ballots online: its official count, on its results page, may differ."""
    round_ = db.session.get(Round, session.round_id)
    assert round_ is not None
    agenda = [str(i.proposal_id) for i in pitches(session)]
    created = db.session.scalar(sa.select(LiveSession.created_at)
                                .where(LiveSession.id == session.id))
    here = sa.select(LiveParticipant.voter_key).where(LiveParticipant.session_id == session.id)
    ballots = rules.tonights_ballots(list(db.session.scalars(
        sa.select(Ballot.items).where(
            Ballot.round_id == session.round_id,
            sa.or_(Ballot.voter_key.in_(here),
                   sa.and_(Ballot.source == "paper", Ballot.cast_at >= created)))
        .order_by(Ballot.id))), agenda)
    scored_ids = rules.scored_pitches(ballots)
    proposals = [p for p in counting.ballot_proposals(round_)
                 if str(p.id) in agenda and str(p.id) in scored_ids]
    counted: dict[str, Any] = {"funded": [], "budget": round_.budget_minor,
                               "currency": round_.currency, "round": round_.id,
                               "provisional": voting.voting_open(round_),
                               "ballots": len(ballots)}
    try:
        data = counting.tally_input(round_, proposals, ballots)
        outcome = tally_rules.tally(data, round_.tally_rule).to_json()
    except (ServiceError, tally_rules.TallyError) as error:
        return {**counted, "error": str(error)}
    by_pid = {counting.project_id(p): p for p in proposals}
    counted["funded"] = [{"id": by_pid[pid].id, "title": by_pid[pid].title,
                          "cost": by_pid[pid].cost_minor, "lang": by_pid[pid].language,
                          "translations": {lang: {"title": texts["title"]} for lang, texts
                                           in (by_pid[pid].translations or {}).items()
                                           if texts.get("title")}}
                         for pid in outcome["selection_order"] if pid in by_pid]
    return counted


def snapshot(session: AnySession, *, console: bool = False,
             fresh: bool = False) -> dict[str, Any]:
    """Return the full state every screen draws from (see docs/live.md).

    `fresh` counts now; otherwise counts from the last moment may serve (joins). `controls`
    and `next_control` are the console's buttons in this state, from the domain's rule.

    Its `seq` is taken before anything is read (older, if the counts are reused), so no
    later event of the session carries older data (docs/realtime.md, "Ordering events"):
    all of it in the room's turn (`events.in_order`)."""
    with events.in_order(events.live_room(session.id)):
        return _snapshot(session, console, fresh)


def _snapshot(session: AnySession, console: bool, fresh: bool) -> dict[str, Any]:
    seq = events.next_seq(events.live_room(session.id))
    items = pitches(session)
    current = items[session.current] if items and session.current < len(items) else None
    if fresh:
        counts, here = _count(session, seq)
    else:
        counts, here, seq = _recent(session, seq)
    show_values = console or session.revealed
    offered, usual = rules.controls(state_of(session), items=len(items))
    return events.live_state_payload(
        session, agenda=[i.as_dict() for i in items],
        current=current.as_dict() if current else None,
        now=now_ms(), present=here,
        questions=console_questions(session) if console else questions(session),
        question_states=question_states(session),
        scored=counts["scored"], paper=counts["paper"],
        totals=counts["totals"] if show_values else None,
        results=results(session) if session.revealed else None,
        controls=list(offered), next_control=usual,
        # Scoring opens only while the round votes: the console says so, following this.
        round_phase=getattr(session, "round_phase", None) or session.round.phase, seq=seq)


# Broadcasting (queued with on_commit, or after a commit) -----------------------------------

def broadcast_state(session: AnySession) -> None:
    """Send the session's new state to every screen (totals to consoles only), in the
    room's turn, so no event that took a later `seq` is sent before it."""
    with events.in_order(events.live_room(session.id)):
        events.live_state(session.id, snapshot(session, fresh=True),
                          snapshot(session, console=True))


def broadcast_questions(session: AnySession) -> None:
    """Schedule a throttled `questions` broadcast for the session (call after a commit).

    However many questions and up-votes arrive, every screen and phone gets at most a few
    lists a second (`events.LIVE_QUESTIONS_INTERVAL`), each read afresh when it is sent."""
    session_id = session.id
    cache().questions.request(f"live:{session_id}", lambda: _send_questions(session_id))


def _send_questions(session_id: int) -> None:
    """Send the current pitch's shown questions to every screen, and the held ones too to
    the consoles, read now (after taking their `seq`, in the room's turn)."""
    with events.in_order(events.live_room(session_id)):
        seq = events.next_seq(events.live_room(session_id))
        session = view(session_id)
        if session is not None:
            events.live_questions(session.id, questions(session),
                                  console=console_questions(session),
                                  states=question_states(session), seq=seq)


def scored(session_id: int, phones: bool = True) -> None:
    """Schedule throttled `tally` broadcasts for the session (call after a commit).

    Screens and consoles get a few a second; phones fewer (see `events`), as each of theirs
    is a message to every phone. `phones=False` when only the presence count changed,
    which phones do not show: a hall joining at once then costs a few messages a second.
    """
    kept = cache()
    kept.screens.request(f"live:{session_id}", lambda: _send_tally(session_id, False))
    if current_app.config["PB_SOCKETIO_MESSAGE_QUEUE"]:  # several server processes
        _watch_phones(session_id)
    elif phones:
        kept.phones.request(f"live:{session_id}", lambda: _send_tally(session_id, True))


def _watch_phones(session_id: int) -> None:
    """Keep the session's phones up to date when several processes share the rooms.

    Every process that has the session's phones (joins and scores say so) watches it, and
    the one holding the session's lease (`turns.holds_lease`) counts every
    `LIVE_PHONE_TALLY_INTERVAL` and, when the count changed, sends every phone a tally
    through Redis, in the room's turn: phones get one stream of tallies, in `seq` order with
    the other events, however many processes serve them (a count is a few ms even at 5,000
    ballots). If that process stops, its lease runs out and another watcher takes over. A
    watcher stops after `WATCH_IDLE` seconds with no phone joining or scoring on its
    process; the next one restarts it.
    """
    watching = cache().watching
    running = session_id in watching
    watching[session_id] = time.monotonic()  # activity: keep (or start) watching
    if not running:
        socketio.start_background_task(_watch, current_app._get_current_object(),
                                       session_id)


def _watch(app: Any, session_id: int) -> None:
    last: dict[str, Any] | None = None
    try:
        while True:
            socketio.sleep(events.LIVE_PHONE_TALLY_INTERVAL)
            with app.app_context():
                try:
                    if time.monotonic() - cache().watching[session_id] > WATCH_IDLE:
                        return
                    if not turns.holds_lease(f"live:{session_id}:phones", LEASE_SECONDS):
                        last = None  # another process counts; count afresh if this one
                        continue     # takes over
                    with events.in_order(events.live_room(session_id)):
                        seq = events.next_seq(events.live_room(session_id))
                        session = view(session_id)
                        if session is None:
                            return
                        counts, here = _count(session, seq)
                        if counts != last:
                            events.live_phone_tally(session, counts, here, seq)
                            last = counts
                except Exception:  # a database outage: try again next time
                    logging.getLogger("pb.live").warning(
                        "could not count session %s for its phones", session_id, exc_info=True)
                finally:
                    db.session.remove()
    finally:
        with app.app_context():
            cache().watching.pop(session_id, None)


def _send_tally(session_id: int, phones: bool) -> None:
    with events.in_order(events.live_room(session_id)):  # see `snapshot`
        seq = events.next_seq(events.live_room(session_id))  # before reading
        session = view(session_id)
        if session is not None:  # counted afresh, so the latest change is always included
            counts, here = _count(session, seq)
            (events.live_phone_tally if phones else events.live_tally)(
                session, counts, here, seq)


def round_ballots_changed(round_id: int) -> None:
    """Refresh the tallies of every live session of a round (say, paper cards counted)."""
    for session_id in db.session.scalars(sa.select(LiveSession.id).where(
            LiveSession.round_id == round_id, LiveSession.phase != "revealed")):
        scored(session_id)
