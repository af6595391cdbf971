"""Live sessions: set up, join, control, score, ask, and the snapshots every screen shows.

Every change is committed before it is broadcast. Scores are the round's ballots, cast through
pb.services.voting (so a phone's score has the same guarantees and receipts as an online
ballot); a participant's ballot holds their scores of every pitch so far.

A hall of phones joins and scores within seconds, so those paths read no ORM objects: a
session is a `LiveView` (one prebuilt statement), a participant a `Seat`, and the agenda
(titles, summaries, costs) is cached per session version. Every other path, and every page,
may pass the ORM `LiveSession` and `LiveParticipant` instead: the functions take either.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
from collections import Counter
from dataclasses import asdict, dataclass
from itertools import chain
from operator import methodcaller
from typing import Any

import sqlalchemy as sa

from pb.domain import live as rules
from pb.domain.errors import N_
from pb.domain.rounds import TALLY_KINDS
from pb.domain.tally.model import without_cycle_collector
from pb.domain.values import is_id
from pb.extensions import app_state, db
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
from pb.models.base import utcnow
from pb.services import ServiceError, audit, counting, voting
from pb.services.prepared import Prepared

QUESTIONS_SHOWN = 20
AGENDA_FRESH = 2.0  # seconds a cached agenda (titles, summaries, costs) or result may serve
COUNTS_FRESH = 0.25  # seconds a tally and presence count may serve joins (they come in floods)


@dataclass(frozen=True)
class Pitch:
    """One agenda item as screens show it: the pitch and its proposal's title and cost."""

    position: int
    proposal_id: int
    pitch_seconds: int
    question_seconds: int
    title: str
    summary: str
    cost: int

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "proposal": self.proposal_id, "title": self.title,
                "summary": self.summary, "cost": self.cost,
                "pitch_seconds": self.pitch_seconds, "question_seconds": self.question_seconds}


@dataclass(frozen=True)
class LiveView:
    """A session read without the ORM: its row (under `LiveSession`'s names), the phase of
    its round, and its agenda from the cache of the session's version."""

    id: int
    round_id: int
    version: int
    title: str
    join_code: str
    access: str
    method: str
    phase: str
    current: int
    scoring: str
    questions_open: bool
    timer_ends: int | None
    timer_left: int | None
    paused: bool
    revealed: bool
    round_phase: str
    items: tuple[Pitch, ...]


@dataclass(frozen=True)
class Seat:
    """A participant as scoring needs them; `new` when just let in (with no ballot yet)."""

    id: int
    voter_key: str
    new: bool = False


AnySession = LiveSession | LiveView
AnyParticipant = LiveParticipant | Seat


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
        raise _no_session()
    _check_not_ended(session.phase, session.round.phase)
    return session


def _no_session() -> ServiceError:
    return ServiceError(N_("There is no live session with that code. Check the code on the "
                           "screen and try again."), field="code")


def _check_not_ended(phase: str, round_phase: str) -> None:
    if phase == "revealed" and round_phase not in ("voting", "results", "implementation"):
        raise ServiceError(N_("That session has ended."), field="code")


# Sessions and participants without the ORM (the paths a hall of phones takes) -------------

_SESSIONS = LiveSession.__table__
_ITEMS = LiveItem.__table__
_PARTICIPANTS = LiveParticipant.__table__
_QUESTIONS = LiveQuestion.__table__
_BALLOTS = Ballot.__table__
_PROPOSALS = Proposal.__table__
_ROUNDS = Round.__table__
_ROW = tuple(f for f in LiveView.__dataclass_fields__ if f not in ("round_phase", "items"))
_FLAGS = tuple(_ROW.index(f) for f in ("questions_open", "paused", "revealed"))
_VIEW = (sa.select(*(_SESSIONS.c[f] for f in _ROW), _ROUNDS.c.phase)
         .join_from(_SESSIONS, _ROUNDS, _ROUNDS.c.id == _SESSIONS.c.round_id))
_VIEW_BY_ID = Prepared(_VIEW.where(_SESSIONS.c.id == sa.bindparam("id")))
_VIEW_BY_CODE = Prepared(_VIEW.where(_SESSIONS.c.join_code == sa.bindparam("code")))
_AGENDA = Prepared(
    sa.select(_ITEMS.c.position, _ITEMS.c.proposal_id, _ITEMS.c.pitch_seconds,
              _ITEMS.c.question_seconds, _PROPOSALS.c.title, _PROPOSALS.c.summary,
              _PROPOSALS.c.cost_minor)
    .join_from(_ITEMS, _PROPOSALS, _PROPOSALS.c.id == _ITEMS.c.proposal_id)
    .where(_ITEMS.c.session_id == sa.bindparam("id")).order_by(_ITEMS.c.position))
_SEAT = Prepared(sa.select(_PARTICIPANTS.c.id, _PARTICIPANTS.c.voter_key)
                 .where(_PARTICIPANTS.c.token_hash == sa.bindparam("token_hash"),
                        _PARTICIPANTS.c.session_id == sa.bindparam("session_id")))
_JOIN_KEYS = ("session_id", "token_hash", "voter_key", "online", "joined_at")
_JOIN = Prepared(sa.insert(_PARTICIPANTS), keys=_JOIN_KEYS)
_JOIN_RETURNING = Prepared(sa.insert(_PARTICIPANTS).returning(_PARTICIPANTS.c.id),
                           keys=_JOIN_KEYS)
_DELTA = sa.bindparam("delta", type_=sa.Integer)
_CONNECTED = Prepared(
    sa.update(_PARTICIPANTS).where(_PARTICIPANTS.c.id == sa.bindparam("pid"))
    # Not max(online + delta, 0): a two-argument max is SQLite's; PostgreSQL's is an aggregate.
    .values(online=sa.case((_PARTICIPANTS.c.online + _DELTA > 0, _PARTICIPANTS.c.online + _DELTA),
                           else_=0)))
_PRESENT = Prepared(sa.select(sa.func.count()).select_from(_PARTICIPANTS)
                    .where(_PARTICIPANTS.c.session_id == sa.bindparam("id"),
                           _PARTICIPANTS.c.online > 0))
_QUESTIONS_OPEN = Prepared(
    sa.select(_QUESTIONS.c.id, _QUESTIONS.c.text, _QUESTIONS.c.votes)
    .where(_QUESTIONS.c.session_id == sa.bindparam("id"),
           _QUESTIONS.c.position == sa.bindparam("position"),
           _QUESTIONS.c.state == sa.literal_column("'open'"))
    .order_by(_QUESTIONS.c.votes.desc(), _QUESTIONS.c.id).limit(QUESTIONS_SHOWN))
# Every ballot's items as one string of JSON texts, parsed in one go: one row and one
# json.loads, where the JSON column type would parse each ballot on its own. (Run through
# SQLAlchemy: its separator is written into the SQL per database, which Prepared cannot do;
# it runs a few times a second, not once per phone.)
_BALLOT_TEXTS = (
    sa.select(sa.func.aggregate_strings(sa.cast(_BALLOTS.c["items"], sa.Text), ","),
              sa.func.sum(sa.case((_BALLOTS.c.source == sa.literal_column("'paper'"), 1),
                                  else_=0)))
    .where(_BALLOTS.c.round_id == sa.bindparam("round_id")))
_MY_ITEMS = Prepared(sa.select(sa.cast(_BALLOTS.c["items"], sa.Text))
                     .where(_BALLOTS.c.round_id == sa.bindparam("round_id"),
                            _BALLOTS.c.voter_key == sa.bindparam("voter_key")))


class _Cache:
    """What this process remembers of its sessions, and its tally throttles, per app (tests
    build many apps, whose sessions have the same ids)."""

    def __init__(self) -> None:
        from pb.broadcast import events
        from pb.broadcast.throttle import Throttle

        self.agendas: dict[int, tuple[int, float, tuple[Pitch, ...]]] = {}
        self.results: dict[int, tuple[int, float, dict[str, Any]]] = {}
        self.counts: dict[int, tuple[float, dict[str, Any], int]] = {}
        self.screens = Throttle(events.LIVE_TALLY_INTERVAL)
        self.phones = Throttle(events.LIVE_PHONE_TALLY_INTERVAL)


def _cache() -> _Cache:
    return app_state("pb.live", _Cache)


def agenda(session_id: int, version: int) -> tuple[Pitch, ...]:
    """Return a session's agenda, read once per version (and again after a moment, so an
    edited title shows)."""
    cache = _cache().agendas
    found = cache.get(session_id)
    now = time.monotonic()
    if found is not None and found[0] == version and now - found[1] < AGENDA_FRESH:
        return found[2]
    items = tuple(Pitch(*row) for row in _AGENDA.all({"id": session_id}))
    cache[session_id] = (version, now, items)
    return items


def _view(row: Any) -> LiveView | None:
    if row is None:
        return None
    values = list(row)
    for i in _FLAGS:  # the driver's own values: SQLite keeps booleans as 0 and 1
        values[i] = bool(values[i])
    return LiveView(*values, items=agenda(row[0], row[2]))


def view(session_id: int) -> LiveView | None:
    """Return the session as it is now, without the ORM, or None."""
    return _view(_VIEW_BY_ID.first({"id": session_id}))


def view_by_code(text: str) -> LiveView:
    """Return the session a join code opens, without the ORM, or refuse it as `by_code`."""
    code = rules.normalise_join_code(text)
    found = _view(_VIEW_BY_CODE.first({"code": code})) if code else None
    if found is None:
        raise _no_session()
    _check_not_ended(found.phase, found.round_phase)
    return found


def pitches(session: AnySession) -> tuple[Pitch, ...]:
    """Return the session's agenda (cached per version), whichever form the session has."""
    if isinstance(session, LiveView):
        return session.items
    return agenda(session.id, session.version)


def sessions_for(viewer: User | None) -> list[LiveSession]:
    """Return every session (for facilitators), newest first."""
    if viewer is None or not viewer.runs_live:
        return []
    return list(db.session.scalars(sa.select(LiveSession).order_by(LiveSession.id.desc())))


# Joining -----------------------------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rejoin(session: AnySession, token: Any) -> Seat | None:
    """Return the participant a phone's kept token belongs to, in this session."""
    if not isinstance(token, str) or not 16 <= len(token) <= 100 or not token.isascii():
        return None  # tokens handed out are URL-safe ASCII
    row = _SEAT.first({"token_hash": _hash(token), "session_id": session.id})
    return None if row is None else Seat(row[0], row[1])


def do_join(session: AnySession, *, user: User | None = None, card: str | None = None,
            online: bool = False) -> tuple[Seat, str]:
    """Let someone into the room; return the participant and the token their phone keeps.

    Open sessions ask for nothing more; "cards" sessions take one of the round's printed
    voting codes; "accounts" sessions need a logged-in account. The ballot the phone scores
    into is the same one that person would cast online, so nobody counts twice. `online`
    counts the connection joining (the socket), in the same commit.
    """
    voter_key = ""
    if session.access != "open":  # open sessions, the common case, need nothing of the round
        round_ = voting.ballot_box(session.round_id)
        if round_ is None:
            raise _no_session()
        if session.access == "accounts":
            if user is None:
                raise ServiceError(N_("Log in to join this session."))
            voter_key = voting.voter_for_user(round_, user).key \
                if round_.eligibility == "accounts" else f"user:{user.id}"
        else:
            if not card:
                raise ServiceError(N_("Type the voting code from your card as well."),
                                   field="card")
            voter_key = voting.voter_for_code(round_, card).key
    token = secrets.token_urlsafe(24)
    token_hash = _hash(token)
    # A new open participant's voter key is theirs alone, so they have no ballot yet.
    fresh = not voter_key
    voter_key = voter_key or f"live:{session.id}:{token_hash[:24]}"
    row = {"session_id": session.id, "token_hash": token_hash, "voter_key": voter_key,
           "online": int(online), "joined_at": utcnow()}
    if db.session.connection().dialect.insert_returning:
        participant_id = _JOIN_RETURNING.all(row)[0][0]
    else:
        cursor = _JOIN.run(row)
        participant_id = cursor.lastrowid
        cursor.close()
    db.session.commit()
    return Seat(participant_id, voter_key, new=fresh), token


def connected(participant_id: int, delta: int) -> None:
    """Count a phone's connection opening (+1) or closing (-1), across every server."""
    _CONNECTED.rowcount({"pid": participant_id, "delta": delta})
    db.session.commit()


def present(session: AnySession) -> int:
    """Return how many participants have a connection open now."""
    row = _PRESENT.first({"id": session.id})
    return int(row[0]) if row else 0


# Controls ----------------------------------------------------------------------------------

def state_of(session: AnySession) -> rules.State:
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

def do_score(session: AnySession, participant: AnyParticipant, items: Any,
             key: Any) -> voting.Cast:
    """Take a phone's scores of pitches now open for scoring; return the receipt.

    `items` maps proposal ids to scores (scoring) or lists the supported ones (approval),
    for open pitches only; they are added to the participant's earlier scores.
    """
    state = state_of(session)
    positions = {str(i.proposal_id): i.position for i in pitches(session)}
    if isinstance(items, dict):
        if session.method == "approval" and any(v not in (1, True) for v in items.values()):
            raise ServiceError(N_("Send the projects you support as a list."))
        chosen = list(items)
    elif isinstance(items, list) and session.method == "approval":
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
    round_ = voting.ballot_box(session.round_id)
    if round_ is None:
        raise _no_session()
    voter = voting.Voter(session.round_id, participant.voter_key)
    earlier = my_scores(session, participant)
    merged: Any
    if session.method == "approval":
        earlier = list(earlier) if isinstance(earlier, list) else []
        merged = [*earlier, *(p for p in chosen if p not in earlier)]
    else:
        earlier = dict(earlier) if isinstance(earlier, dict) else {}
        merged = {**earlier, **{str(k): v for k, v in items.items()}}
    cast = voting.do_cast(round_, voter, merged, key)
    scored(session.id)
    return cast


def my_scores(session: AnySession, participant: AnyParticipant | None) -> Any:
    """Return the participant's ballot items so far ({} before their first score)."""
    if participant is None or (isinstance(participant, Seat) and participant.new):
        return {}
    row = _MY_ITEMS.first({"round_id": session.round_id, "voter_key": participant.voter_key})
    return json.loads(row[0]) if row and row[0] is not None else {}


# Questions ---------------------------------------------------------------------------------

def do_ask(session: AnySession, participant: AnyParticipant, text: Any) -> LiveQuestion:
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


def do_upvote(session: AnySession, participant: AnyParticipant, question_id: Any) -> int:
    """Up-vote a question once; return its votes."""
    if not is_id(question_id):
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


def do_answer(actor: User | None, session: AnySession, question_id: Any) -> None:
    """Mark a question answered (the facilitator's console), taking it off the list."""
    _require_runner(actor)
    question = db.session.get(LiveQuestion, question_id) if is_id(question_id) else None
    if question is None or question.session_id != session.id:
        raise ServiceError(N_("That question is not open any more."))
    question.state = "answered"
    db.session.commit()
    _broadcast_questions(session)


def questions(session: AnySession) -> list[dict[str, Any]]:
    """Return the open questions on the current pitch, most up-voted first."""
    rows = _QUESTIONS_OPEN.all({"id": session.id, "position": session.current})
    return [{"id": qid, "text": text, "votes": votes} for qid, text, votes in rows]


# Tallies, results and snapshots ------------------------------------------------------------

def recent_counts(session: AnySession) -> tuple[dict[str, Any], int]:
    """Return the session's tally and presence count, reusing ones from the last moment.

    A hall of phones joining at once would otherwise recount every ballot and every
    connection for each join; broadcasts always count afresh (`tally`, `present`).
    """
    cached = _cache().counts.get(session.id)
    if cached is not None and time.monotonic() - cached[0] < COUNTS_FRESH:
        return cached[1], cached[2]
    return _count(session)


def _count(session: AnySession) -> tuple[dict[str, Any], int]:
    counted, here = tally(session), present(session)
    _cache().counts[session.id] = (time.monotonic(), counted, here)
    return counted, here


@without_cycle_collector  # thousands of small dicts, no cycles
def tally(session: AnySession) -> dict[str, Any]:
    """Return how many scores each pitch has (phones and paper) and their totals."""
    ids = [str(i.proposal_id) for i in pitches(session)]
    texts, paper = db.session.connection().execute(
        _BALLOT_TEXTS, {"round_id": session.round_id}).one()
    everything = json.loads(f"[{texts or ''}]")
    # Counted by the C loops of Counter, map and sum: a hall's ballots are thousands.
    dicts = [b for b in everything if isinstance(b, dict)]  # scores
    lists = [b for b in everything if isinstance(b, list)]  # supported projects
    counts = Counter(chain.from_iterable(dicts))
    supported = Counter(chain.from_iterable(lists))
    counts.update(supported)
    return {"scored": {pid: counts[pid] for pid in ids},
            "totals": {pid: sum(map(methodcaller("get", pid, 0), dicts)) + supported[pid]
                       for pid in ids},
            "paper": int(paper or 0)}


def results(session: AnySession) -> dict[str, Any]:
    """Count the round with its rule: the funded projects in the order they were funded.

    Kept for a moment per session version: a room of phones rejoining after the reveal
    would otherwise count the round once each."""
    cache = _cache().results
    found = cache.get(session.id)
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
    cache[session.id] = (session.version, now, counted)
    return counted


def snapshot(session: AnySession, *, console: bool = False,
             fresh: bool = False) -> dict[str, Any]:
    """Return the full state every screen draws from (see docs/live.md).

    `fresh` counts now; otherwise counts from the last moment may serve (joins)."""
    from pb.broadcast import events

    items = pitches(session)
    current = items[session.current] if items and session.current < len(items) else None
    counts, here = _count(session) if fresh else recent_counts(session)
    show_values = console or session.revealed
    return events.live_state_payload(
        session, agenda=[i.as_dict() for i in items],
        current=current.as_dict() if current else None,
        now=now_ms(), present=here, questions=questions(session),
        scored=counts["scored"], paper=counts["paper"],
        totals=counts["totals"] if show_values else None,
        results=results(session) if session.revealed else None)


# Broadcasting (after commits) --------------------------------------------------------------

def _broadcast_state(session: AnySession) -> None:
    from pb.broadcast import events

    events.live_state(session.id, snapshot(session, fresh=True),
                      snapshot(session, console=True))


def _broadcast_questions(session: AnySession) -> None:
    from pb.broadcast import events

    events.live_questions(session.id, questions(session))


def scored(session_id: int, phones: bool = True) -> None:
    """Schedule throttled `tally` broadcasts for the session (call after a commit).

    Screens and consoles get a few a second; phones fewer (see `events`), as each of theirs
    is a message to every phone. `phones=False` when only the presence count changed,
    which phones do not show: a hall joining at once then costs a few messages a second.
    """

    cache = _cache()
    cache.screens.request(f"live:{session_id}", lambda: _send_tally(session_id, False))
    if phones:
        cache.phones.request(f"live:{session_id}", lambda: _send_tally(session_id, True))


def _send_tally(session_id: int, phones: bool) -> None:
    from pb.broadcast import events

    session = view(session_id)
    if session is not None:  # counted afresh, so the latest change is always included
        counts, here = _count(session)
        (events.live_phone_tally if phones else events.live_tally)(session, counts, here)


def round_ballots_changed(round_id: int) -> None:
    """Refresh the tallies of every live session of a round (say, paper cards counted)."""
    for session_id in db.session.scalars(sa.select(LiveSession.id).where(
            LiveSession.round_id == round_id, LiveSession.phase != "revealed")):
        scored(session_id)

