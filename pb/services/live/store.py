"""The fast path of a hall of phones: sessions and participants read without the ORM.

A session is a `LiveView` (one prebuilt statement), a participant a `Seat`, and the agenda
(titles, summaries, costs) a tuple of `Pitch`, cached per session version in this process's
per-app `_Cache` (with the recent counts, the revealed results and the tally and question
throttles).
Every statement the hot paths run is prepared here, once. Only reads: the use cases that
write are in the sibling modules, each in its own unit of work.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from pb.broadcast import events
from pb.broadcast.throttle import Throttle
from pb.domain import live as rules
from pb.domain.errors import N_
from pb.extensions import app_state
from pb.models import Ballot, LiveItem, LiveParticipant, LiveQuestion, LiveSession, Proposal, Round
from pb.services import ServiceError
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
    # The language of `title` and `summary` (None if unknown), and both in other languages,
    # {"cy": {"title": ...}}: each screen shows them in its page's language.
    language: str | None = None
    translations: dict[str, dict[str, str]] = field(default_factory=dict, hash=False)

    def as_dict(self) -> dict[str, Any]:
        return {"position": self.position, "proposal": self.proposal_id, "title": self.title,
                "summary": self.summary, "cost": self.cost, "lang": self.language,
                "translations": self.translations,
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
    moderated: bool
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


def state_of(session: AnySession) -> rules.State:
    """Return the part of the session its controls change, as the domain's state machine
    takes it."""
    return rules.State(phase=session.phase, current=session.current, scoring=session.scoring,
                       questions_open=session.questions_open, timer_ends=session.timer_ends,
                       timer_left=session.timer_left, paused=session.paused,
                       revealed=session.revealed)


def no_session() -> ServiceError:
    """The refusal of a join code that opens no session."""
    return ServiceError(N_("There is no live session with that code. Check the code on the "
                           "screen and try again."), field="code")


def check_not_ended(phase: str, round_phase: str) -> None:
    """Refuse to open a revealed session once its round has moved past its results."""
    if phase == "revealed" and round_phase not in ("voting", "results", "implementation"):
        raise ServiceError(N_("That session has ended."), field="code")


# The statements ----------------------------------------------------------------------------

_SESSIONS = LiveSession.__table__
_ITEMS = LiveItem.__table__
_PARTICIPANTS = LiveParticipant.__table__
_QUESTIONS = LiveQuestion.__table__
_BALLOTS = Ballot.__table__
_PROPOSALS = Proposal.__table__
_ROUNDS = Round.__table__
_ROW = tuple(f for f in LiveView.__dataclass_fields__ if f not in ("round_phase", "items"))
_FLAGS = tuple(_ROW.index(f) for f in ("questions_open", "paused", "revealed", "moderated"))
_VIEW = (sa.select(*(_SESSIONS.c[f] for f in _ROW), _ROUNDS.c.phase)
         .join_from(_SESSIONS, _ROUNDS, _ROUNDS.c.id == _SESSIONS.c.round_id))
_VIEW_BY_ID = Prepared(_VIEW.where(_SESSIONS.c.id == sa.bindparam("id")))
_VIEW_BY_CODE = Prepared(_VIEW.where(_SESSIONS.c.join_code == sa.bindparam("code")))
_AGENDA = Prepared(
    sa.select(_ITEMS.c.position, _ITEMS.c.proposal_id, _ITEMS.c.pitch_seconds,
              _ITEMS.c.question_seconds, _PROPOSALS.c.title, _PROPOSALS.c.summary,
              _PROPOSALS.c.cost_minor, _PROPOSALS.c.language,
              sa.cast(_PROPOSALS.c.translations, sa.Text))
    .join_from(_ITEMS, _PROPOSALS, _PROPOSALS.c.id == _ITEMS.c.proposal_id)
    .where(_ITEMS.c.session_id == sa.bindparam("id")).order_by(_ITEMS.c.position))
SEAT = Prepared(sa.select(_PARTICIPANTS.c.id, _PARTICIPANTS.c.voter_key)
                .where(_PARTICIPANTS.c.token_hash == sa.bindparam("token_hash"),
                       _PARTICIPANTS.c.session_id == sa.bindparam("session_id")))
_JOIN_KEYS = ("session_id", "token_hash", "voter_key", "online", "joined_at")
JOIN = Prepared(sa.insert(_PARTICIPANTS), keys=_JOIN_KEYS)
JOIN_RETURNING = Prepared(sa.insert(_PARTICIPANTS).returning(_PARTICIPANTS.c.id),
                          keys=_JOIN_KEYS)
_DELTA = sa.bindparam("delta", type_=sa.Integer)
CONNECTED = Prepared(
    sa.update(_PARTICIPANTS).where(_PARTICIPANTS.c.id == sa.bindparam("pid"))
    # Not max(online + delta, 0): a two-argument max is SQLite's; PostgreSQL's is an aggregate.
    .values(online=sa.case((_PARTICIPANTS.c.online + _DELTA > 0, _PARTICIPANTS.c.online + _DELTA),
                           else_=0)))
PRESENT = Prepared(sa.select(sa.func.count()).select_from(_PARTICIPANTS)
                   .where(_PARTICIPANTS.c.session_id == sa.bindparam("id"),
                          _PARTICIPANTS.c.online > 0))
QUESTIONS_OPEN = Prepared(
    sa.select(_QUESTIONS.c.id, _QUESTIONS.c.text, _QUESTIONS.c.votes)
    .where(_QUESTIONS.c.session_id == sa.bindparam("id"),
           _QUESTIONS.c.position == sa.bindparam("position"),
           _QUESTIONS.c.state == sa.literal_column("'open'"))
    .order_by(_QUESTIONS.c.votes.desc(), _QUESTIONS.c.id).limit(QUESTIONS_SHOWN))
# Every ballot's items as one string of JSON texts, parsed in one go: one row and one
# json.loads, where the JSON column type would parse each ballot on its own. (Run through
# SQLAlchemy: its separator is written into the SQL per database, which Prepared cannot do;
# it runs a few times a second, not once per phone.)
BALLOT_TEXTS = (
    sa.select(sa.func.aggregate_strings(sa.cast(_BALLOTS.c["items"], sa.Text), ","),
              sa.func.sum(sa.case((_BALLOTS.c.source == sa.literal_column("'paper'"), 1),
                                  else_=0)))
    .where(_BALLOTS.c.round_id == sa.bindparam("round_id")))
MY_ITEMS = Prepared(sa.select(sa.cast(_BALLOTS.c["items"], sa.Text))
                    .where(_BALLOTS.c.round_id == sa.bindparam("round_id"),
                           _BALLOTS.c.voter_key == sa.bindparam("voter_key")))


# What this process remembers ---------------------------------------------------------------

class _Cache:
    """What this process remembers of its sessions, and its tally throttles, per app (tests
    build many apps, whose sessions have the same ids)."""

    def __init__(self) -> None:
        self.agendas: dict[int, tuple[int, float, tuple[Pitch, ...]]] = {}
        self.results: dict[int, tuple[int, float, dict[str, Any]]] = {}
        # (when, counts, present, the `seq` taken before they were counted)
        self.counts: dict[int, tuple[float, dict[str, Any], int, int]] = {}
        self.screens = Throttle(events.LIVE_TALLY_INTERVAL)
        self.phones = Throttle(events.LIVE_PHONE_TALLY_INTERVAL)
        self.questions = Throttle(events.LIVE_QUESTIONS_INTERVAL)
        # sessions whose phones here this process counts for (several processes), and
        # when a phone last joined or scored here
        self.watching: dict[int, float] = {}


def cache() -> _Cache:
    """Return the current app's memory of its live sessions."""
    return app_state("pb.live", _Cache)


def agenda(session_id: int, version: int) -> tuple[Pitch, ...]:
    """Return a session's agenda, read once per version (and again after a moment, so an
    edited title shows)."""
    agendas = cache().agendas
    found = agendas.get(session_id)
    now = time.monotonic()
    if found is not None and found[0] == version and now - found[1] < AGENDA_FRESH:
        return found[2]
    items = tuple(Pitch(*row[:-1], translations=_pitch_texts(row[-1]))
                  for row in _AGENDA.all({"id": session_id}))
    agendas[session_id] = (version, now, items)
    return items


def _pitch_texts(text: str | None) -> dict[str, dict[str, str]]:
    """Return the title and summary of a proposal's translations (its JSON column's text)."""
    found = json.loads(text) if text else None
    return {lang: {k: v for k, v in texts.items() if k in ("title", "summary")}
            for lang, texts in (found or {}).items()}


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
        raise no_session()
    check_not_ended(found.phase, found.round_phase)
    return found


def pitches(session: AnySession) -> tuple[Pitch, ...]:
    """Return the session's agenda (cached per version), whichever form the session has."""
    if isinstance(session, LiveView):
        return session.items
    return agenda(session.id, session.version)
