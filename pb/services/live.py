"""Live sessions: set up, join, control, score, ask, and the snapshots every screen shows.

Every change is committed before it is broadcast. Scores are the round's ballots, cast through
pb.services.voting (so a phone's score has the same guarantees and receipts as an online
ballot); a participant's ballot holds their scores of every pitch so far.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import asdict
from typing import Any

import sqlalchemy as sa

from pb.domain import live as rules
from pb.domain.errors import N_
from pb.domain.rounds import TALLY_KINDS
from pb.extensions import db
from pb.models import (
    Ballot,
    LiveItem,
    LiveParticipant,
    LiveQuestion,
    LiveSession,
    LiveUpvote,
    Proposal,
    Round,
    User,
)
from pb.services import ServiceError, audit, counting, voting

QUESTIONS_SHOWN = 20


def now_ms() -> int:
    """Return the server's clock in milliseconds since the epoch (all screens follow it)."""
    return time.time_ns() // 1_000_000


def _require_runner(actor: User | None) -> None:
    if actor is None or not actor.runs_live:
        raise ServiceError(N_("Only facilitators and officers can run live sessions; ask an "
                              "admin for the facilitator role."))


# Setting up --------------------------------------------------------------------------------

def do_create(actor: User, round_: Round, title: str, access: str, method: str,
              agenda: list[tuple[int, int, int]]) -> LiveSession:
    """Create a session for a round with an agenda of (proposal id, pitch s, question s)."""
    _require_runner(actor)
    session = LiveSession(round_id=round_.id, created_by_id=actor.id)
    _apply_settings(session, round_, title, access, method, agenda)
    for _ in range(10):
        session.join_code = rules.new_join_code()
        if db.session.scalar(sa.select(LiveSession.id).where(
                LiveSession.join_code == session.join_code)) is None:
            break
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "live.created", "live_session", session.id, round=round_.id,
                 title=session.title)
    db.session.commit()
    return session


def do_update(actor: User, session: LiveSession, title: str, access: str, method: str,
              agenda: list[tuple[int, int, int]]) -> LiveSession:
    """Change a session's settings and agenda, before it starts."""
    _require_runner(actor)
    if session.phase != "lobby":
        raise ServiceError(N_("The session has started, so its agenda can no longer change."))
    _apply_settings(session, session.round, title, access, method, agenda)
    session.version += 1
    audit.record(actor, "live.updated", "live_session", session.id)
    db.session.commit()
    _broadcast_state(session)
    return session


def _apply_settings(session: LiveSession, round_: Round, title: str, access: str, method: str,
                    agenda: list[tuple[int, int, int]]) -> None:
    title = " ".join((title or "").split())
    if not title:
        raise ServiceError(N_("Give the session a title, such as the event's name."),
                           field="title")
    if len(title) > 200:
        raise ServiceError(N_("Use at most %(max)d characters."), max=200, field="title")
    if access not in rules.ACCESS:
        raise ServiceError(N_("Choose who may join from the list."), field="access")
    if access == "cards" and round_.eligibility != "codes":
        raise ServiceError(N_("Printed voting codes need a round that votes with codes; "
                              "change the round's settings, or choose another way to join."),
                           field="access")
    if method not in rules.METHODS:
        raise ServiceError(N_("Choose how the room scores from the list."), field="method")
    if TALLY_KINDS[round_.ballot_method] != TALLY_KINDS[method]:
        raise ServiceError(N_("The round counts %(kind)s ballots; choose a way of scoring "
                              "that matches its ballot method."),
                           kind=round_.ballot_method, field="method")
    on_ballot = {p.id for p in counting.ballot_proposals(round_)}
    seen: set[int] = set()
    items = []
    for position, (proposal_id, pitch, questions) in enumerate(agenda):
        if proposal_id not in on_ballot:
            raise ServiceError(N_("Only projects on the round's ballot can pitch."),
                               field="agenda")
        if proposal_id in seen:
            raise ServiceError(N_("Each project pitches once."), field="agenda")
        seen.add(proposal_id)
        items.append(LiveItem(position=position, proposal_id=proposal_id,
                              pitch_seconds=rules.check_seconds(pitch),
                              question_seconds=rules.check_seconds(questions)))
    if not items:
        raise ServiceError(N_("Choose at least one project to pitch."), field="agenda")
    session.title, session.access, session.method = title, access, method
    session.items = []
    db.session.flush()
    session.items = items


def get(session_id: int) -> LiveSession | None:
    return db.session.get(LiveSession, session_id)


def by_code(text: str) -> LiveSession:
    """Return the session a typed join code opens, or refuse it clearly."""
    code = rules.normalise_join_code(text)
    session = db.session.scalar(sa.select(LiveSession).where(LiveSession.join_code == code)) \
        if code else None
    if session is None:
        raise ServiceError(N_("There is no live session with that code. Check the code on "
                              "the screen and try again."), field="code")
    if session.phase == "revealed" and session.round.phase not in ("voting", "results",
                                                                   "implementation"):
        raise ServiceError(N_("That session has ended."), field="code")
    return session


def sessions_for(viewer: User | None) -> list[LiveSession]:
    """Return every session (for facilitators), newest first."""
    if viewer is None or not viewer.runs_live:
        return []
    return list(db.session.scalars(sa.select(LiveSession).order_by(LiveSession.id.desc())))


# Joining -----------------------------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rejoin(session: LiveSession, token: Any) -> LiveParticipant | None:
    """Return the participant a phone's kept token belongs to, in this session."""
    if not isinstance(token, str) or not 16 <= len(token) <= 100:
        return None
    found = db.session.scalar(sa.select(LiveParticipant).where(
        LiveParticipant.token_hash == _hash(token)))
    return found if found is not None and found.session_id == session.id else None


def do_join(session: LiveSession, *, user: User | None = None,
            card: str | None = None) -> tuple[LiveParticipant, str]:
    """Let someone into the room; return the participant and the token their phone keeps.

    Open sessions ask for nothing more; "cards" sessions take one of the round's printed
    voting codes; "accounts" sessions need a logged-in account. The ballot the phone scores
    into is the same one that person would cast online, so nobody counts twice.
    """
    round_ = session.round
    if session.access == "accounts":
        if user is None:
            raise ServiceError(N_("Log in to join this session."))
        voter_key = voting.voter_for_user(round_, user).key \
            if round_.eligibility == "accounts" else f"user:{user.id}"
    elif session.access == "cards":
        if not card:
            raise ServiceError(N_("Type the voting code from your card as well."), field="card")
        voter_key = voting.voter_for_code(round_, card).key
    else:
        voter_key = ""
    token = secrets.token_urlsafe(24)
    participant = LiveParticipant(session_id=session.id, token_hash=_hash(token),
                                  voter_key=voter_key or f"live:{session.id}:{_hash(token)[:24]}")
    db.session.add(participant)
    db.session.commit()
    return participant, token


def connected(participant_id: int, delta: int) -> None:
    """Count a phone's connection opening (+1) or closing (-1), across every server."""
    db.session.execute(sa.update(LiveParticipant).where(LiveParticipant.id == participant_id)
                       .values(online=sa.func.max(LiveParticipant.online + delta, 0)))
    db.session.commit()


def present(session: LiveSession) -> int:
    return db.session.scalar(sa.select(sa.func.count(LiveParticipant.id)).where(
        LiveParticipant.session_id == session.id, LiveParticipant.online > 0)) or 0


# Controls ----------------------------------------------------------------------------------

def state_of(session: LiveSession) -> rules.State:
    return rules.State(phase=session.phase, current=session.current, scoring=session.scoring,
                       questions_open=session.questions_open, timer_ends=session.timer_ends,
                       timer_left=session.timer_left, paused=session.paused,
                       revealed=session.revealed)


def do_control(actor: User | None, session: LiveSession, action: Any,
               expected_version: int | None = None) -> LiveSession:
    """Apply a facilitator's control, store the new state, then tell every screen."""
    _require_runner(actor)
    if not isinstance(action, str):
        raise ServiceError(N_("That is not something the console can do."))
    if action in ("open_scoring", "open_scoring_all") and session.round.phase != "voting":
        raise ServiceError(N_("The round is not in its voting phase, so scores cannot be "
                              "taken. Move the round to voting first (round page, for "
                              "officers)."))
    items = session.items
    new = rules.apply(state_of(session), action, now=now_ms(), items=len(items),
                      pitch_seconds=[i.pitch_seconds for i in items],
                      question_seconds=[i.question_seconds for i in items])
    changes = asdict(new)
    version = session.version  # the ORM update below moves session.version on in memory
    if expected_version is not None and expected_version != version:
        raise ServiceError(N_("Another console changed the session a moment ago; look at the "
                              "screen and try again."))
    # Compare-and-set on the version, so two consoles pressing at once cannot interleave.
    moved = db.session.execute(
        sa.update(LiveSession).where(LiveSession.id == session.id,
                                     LiveSession.version == version)
        .values(version=LiveSession.version + 1, **changes)).rowcount
    if moved != 1:
        db.session.rollback()
        raise ServiceError(N_("Another console changed the session a moment ago; look at the "
                              "screen and try again."))
    audit.record(actor, "live.control", "live_session", session.id, control=action)
    db.session.commit()
    db.session.refresh(session)
    _broadcast_state(session)
    return session


# Scoring -----------------------------------------------------------------------------------

def do_score(session: LiveSession, participant: LiveParticipant, items: Any,
             key: Any) -> voting.Cast:
    """Take a phone's scores of pitches now open for scoring; return the receipt.

    `items` maps proposal ids to scores (scoring) or lists the supported ones (approval),
    for open pitches only; they are added to the participant's earlier scores.
    """
    state = state_of(session)
    positions = {str(i.proposal_id): i.position for i in session.items}
    if isinstance(items, dict):
        if session.method == "approval" and any(v not in (1, True) for v in items.values()):
            raise ServiceError(N_("Send the projects you support as a list."))
        chosen = list(items)
    elif isinstance(items, list):
        chosen = [str(i) for i in items]
    else:
        raise ServiceError(N_("Send your scores as projects with a score for each."))
    if not chosen:
        raise ServiceError(N_("Choose a score before you send it."))
    for pid in chosen:
        if str(pid) not in positions:
            raise ServiceError(N_("That project is not on tonight's agenda."))
        if not rules.scorable(state, positions[str(pid)]):
            raise ServiceError(N_("Scoring for that pitch is not open. Wait for the "
                                  "facilitator to open it."))
    voter = voting.Voter(session.round_id, participant.voter_key)
    ballot = voting.current(voter)
    merged: Any
    if session.method == "approval":
        earlier = list(ballot.items) if ballot and isinstance(ballot.items, list) else []
        merged = [*earlier, *(p for p in chosen if p not in earlier)]
    else:
        earlier_points = dict(ballot.items) if ballot and isinstance(ballot.items, dict) else {}
        merged = {**earlier_points, **{str(k): v for k, v in items.items()}}
    cast = voting.do_cast(session.round, voter, merged, key)
    scored(session.id)
    return cast


def my_scores(session: LiveSession, participant: LiveParticipant | None) -> Any:
    if participant is None:
        return {}
    ballot = voting.current(voting.Voter(session.round_id, participant.voter_key))
    return ballot.items if ballot else {}


# Questions ---------------------------------------------------------------------------------

def do_ask(session: LiveSession, participant: LiveParticipant, text: Any) -> LiveQuestion:
    """Put a question to the current pitch."""
    if session.phase in ("lobby", "closed", "revealed"):
        raise ServiceError(N_("Questions open during the pitches."))
    if not isinstance(text, str):
        raise ServiceError(N_("Type your question first."))
    question = LiveQuestion(session_id=session.id, position=session.current,
                            participant_id=participant.id, text=rules.check_question(text))
    db.session.add(question)
    db.session.commit()
    _broadcast_questions(session)
    return question


def do_upvote(session: LiveSession, participant: LiveParticipant, question_id: Any) -> int:
    """Up-vote a question once; return its votes."""
    if not isinstance(question_id, int) or isinstance(question_id, bool):
        raise ServiceError(N_("Send the question as a number."))
    question = db.session.get(LiveQuestion, question_id)
    if question is None or question.session_id != session.id or question.state != "open":
        raise ServiceError(N_("That question is not open any more."))
    db.session.add(LiveUpvote(question_id=question.id, participant_id=participant.id))
    try:
        db.session.flush()
    except sa.exc.IntegrityError:
        db.session.rollback()
        raise ServiceError(N_("You have already up-voted that question.")) from None
    db.session.execute(sa.update(LiveQuestion).where(LiveQuestion.id == question.id)
                       .values(votes=LiveQuestion.votes + 1))
    db.session.commit()
    db.session.refresh(question)
    _broadcast_questions(session)
    return question.votes


def do_answer(actor: User | None, session: LiveSession, question_id: Any) -> None:
    """Mark a question answered (the facilitator's console), taking it off the list."""
    _require_runner(actor)
    question = db.session.get(LiveQuestion, question_id) if isinstance(question_id, int) \
        else None
    if question is None or question.session_id != session.id:
        raise ServiceError(N_("That question is not open any more."))
    question.state = "answered"
    db.session.commit()
    _broadcast_questions(session)


def questions(session: LiveSession) -> list[dict[str, Any]]:
    """Return the open questions on the current pitch, most up-voted first."""
    rows = db.session.scalars(sa.select(LiveQuestion).where(
        LiveQuestion.session_id == session.id, LiveQuestion.position == session.current,
        LiveQuestion.state == "open")
        .order_by(LiveQuestion.votes.desc(), LiveQuestion.id).limit(QUESTIONS_SHOWN))
    return [{"id": q.id, "text": q.text, "votes": q.votes} for q in rows]


# Tallies, results and snapshots ------------------------------------------------------------

_TALLY_FRESH = 0.25  # seconds a computed tally serves snapshots (joins come in floods)
_tallies: dict[int, tuple[float, dict[str, Any]]] = {}


def recent_tally(session: LiveSession) -> dict[str, Any]:
    """Return the session's tally, reusing one computed in the last moment.

    A hall of phones joining at once would otherwise recount every ballot for each join;
    broadcasts always count afresh (`tally`).
    """
    cached = _tallies.get(session.id)
    if cached is not None and time.monotonic() - cached[0] < _TALLY_FRESH:
        return cached[1]
    return tally(session)


def tally(session: LiveSession) -> dict[str, Any]:
    """Return how many scores each pitch has (phones and paper) and their totals."""
    ids = {str(i.proposal_id) for i in session.items}
    counts = dict.fromkeys(ids, 0)
    sums = dict.fromkeys(ids, 0)
    paper = 0
    for items, source in db.session.execute(sa.select(Ballot.items, Ballot.source).where(
            Ballot.round_id == session.round_id)):
        paper += source == "paper"
        values = items.items() if isinstance(items, dict) else ((pid, 1) for pid in items)
        for pid, value in values:
            if pid in counts:
                counts[pid] += 1
                sums[pid] += int(value)
    counted = {"scored": counts, "totals": sums, "paper": paper}
    _tallies[session.id] = (time.monotonic(), counted)
    return counted


def results(session: LiveSession) -> dict[str, Any]:
    """Count the round with its rule: the funded projects in the order they were funded."""
    try:
        count = counting.do_count(session.round)
    except ServiceError as error:
        return {"error": str(error), "funded": []}
    outcome = count.outcome
    by_pid = {counting.project_id(p): p for p in count.proposals.values()}
    funded = [{"id": by_pid[pid].id, "title": by_pid[pid].title,
               "cost": by_pid[pid].cost_minor}
              for pid in outcome["selection_order"] if pid in by_pid]
    return {"funded": funded, "budget": session.round.budget_minor,
            "currency": session.round.currency}


def snapshot(session: LiveSession, *, console: bool = False,
             fresh: bool = False) -> dict[str, Any]:
    """Return the full state every screen draws from (see docs/live.md).

    `fresh` recounts now; otherwise a tally from the last moment may serve (joins)."""
    from pb.realtime import events

    items = session.items
    current = items[session.current] if items and session.current < len(items) else None
    counts = tally(session) if fresh else recent_tally(session)
    show_values = console or session.revealed
    return events.live_state_payload(
        session, agenda=[_item(i) for i in items], current=_item(current) if current else None,
        now=now_ms(), present=present(session), questions=questions(session),
        scored=counts["scored"], paper=counts["paper"],
        totals=counts["totals"] if show_values else None,
        results=results(session) if session.revealed else None)


def _item(item: LiveItem) -> dict[str, Any]:
    p: Proposal = item.proposal
    return {"position": item.position, "proposal": p.id, "title": p.title,
            "summary": p.summary, "cost": p.cost_minor, "pitch_seconds": item.pitch_seconds,
            "question_seconds": item.question_seconds}


# Broadcasting (after commits) --------------------------------------------------------------

def _broadcast_state(session: LiveSession) -> None:
    from pb.realtime import events

    events.live_state(session.id, snapshot(session, fresh=True),
                      snapshot(session, console=True))


def _broadcast_questions(session: LiveSession) -> None:
    from pb.realtime import events

    events.live_questions(session.id, questions(session))


def scored(session_id: int, phones: bool = True) -> None:
    """Schedule a throttled `tally` broadcast for the session (call after a commit).

    `phones=False` when only the presence count changed: a hall of phones joining at once
    then costs a few messages a second to the screens and consoles, not to every phone.
    """
    from pb.realtime import events
    from pb.realtime.throttle import Throttle

    global _tally_throttle
    if _tally_throttle is None:
        _tally_throttle = Throttle(events.LIVE_TALLY_INTERVAL)

    def send() -> None:
        session = get(session_id)
        if session is not None:
            counts = tally(session)
            events.live_tally(session, counts, present(session), phones=phones)

    _tally_throttle.request(f"live:{session_id}:{'all' if phones else 'presence'}", send)


def round_ballots_changed(round_id: int) -> None:
    """Refresh the tallies of every live session of a round (say, paper cards counted)."""
    for session_id in db.session.scalars(sa.select(LiveSession.id).where(
            LiveSession.round_id == round_id, LiveSession.phase != "revealed")):
        scored(session_id)


_tally_throttle: Any = None
