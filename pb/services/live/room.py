"""The people in the hall: joining and rejoining, presence, and their questions.

A phone joins once and keeps a token; rejoining with it is the same participant. Joins and
presence counts run on the fast path (`store`'s prepared statements, `Seat`s, no ORM).
Questions are asked and up-voted by phones; the console approves them (when the session
holds them for approval), hides them with a reason, or marks them answered.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

import sqlalchemy as sa

from pb.domain import live as rules
from pb.domain.errors import N_
from pb.domain.values import is_id
from pb.extensions import db
from pb.models import LiveQuestion, LiveUpvote, User
from pb.models.base import utcnow
from pb.services import ServiceError, audit, on_commit, unit_of_work, voting
from pb.services.live.screens import broadcast_questions, broadcast_state
from pb.services.live.setup import require_runner
from pb.services.live.store import (
    CONNECTED,
    JOIN,
    JOIN_RETURNING,
    SEAT,
    AnyParticipant,
    AnySession,
    Seat,
    no_session,
)
from pb.services.prepared import Prepared

# Joining -----------------------------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def rejoin(session: AnySession, token: Any) -> Seat | None:
    """Return the participant a phone's kept token belongs to, in this session."""
    if not isinstance(token, str) or not 16 <= len(token) <= 100 or not token.isascii():
        return None  # tokens handed out are URL-safe ASCII
    row = SEAT.first({"token_hash": _hash(token), "session_id": session.id})
    return None if row is None else Seat(row[0], row[1])


def do_join(session: AnySession, *, user: User | None = None, card: str | None = None,
            online: bool = False) -> tuple[Seat, str]:
    """Let someone into the room; return the participant and the token their phone keeps.

    Open sessions ask for nothing more; "cards" sessions take one of the round's printed
    voting codes; "accounts" sessions need a logged-in account. The ballot the phone scores
    into is the same one that person would cast online, so nobody counts twice. `online`
    counts the connection joining (the socket), in the same commit.
    """
    with unit_of_work():
        voter_key = ""
        if session.access != "open":  # open sessions, the common case, need nothing more
            round_ = voting.ballot_box(session.round_id)
            if round_ is None:
                raise no_session()
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
            participant_id = JOIN_RETURNING.all(row)[0][0]
        else:
            cursor = JOIN.run(row)
            participant_id = cursor.lastrowid
            cursor.close()
    return Seat(participant_id, voter_key, new=fresh), token


def connected(participant_id: int, delta: int) -> None:
    """Count a phone's connection opening (+1) or closing (-1), across every server.

    The caller asks for the tally that shows it (`scored(..., phones=False)`): it knows the
    session, and a throttled tally needs no commit to wait for."""
    with unit_of_work():
        CONNECTED.rowcount({"pid": participant_id, "delta": delta})


# Questions ---------------------------------------------------------------------------------

def do_ask(session: AnySession, participant: AnyParticipant, text: Any) -> LiveQuestion:
    """Put a question to the current pitch."""
    with unit_of_work():
        if session.phase in ("lobby", "closed", "revealed"):
            raise ServiceError(N_("Questions open during the pitches."))
        if not isinstance(text, str):
            raise ServiceError(N_("Type your question first."))
        question = LiveQuestion(session_id=session.id, position=session.current,
                                participant_id=participant.id,
                                text=rules.check_question(text),
                                state=rules.asked_state(session.moderated))
        db.session.add(question)
        on_commit(broadcast_questions, session)
    return question


_QUESTIONS, _UPVOTES = LiveQuestion.__table__, LiveUpvote.__table__
_QUESTION = Prepared(sa.select(_QUESTIONS.c.session_id, _QUESTIONS.c.state)
                     .where(_QUESTIONS.c.id == sa.bindparam("id")))
_UPVOTE = Prepared(sa.insert(_UPVOTES), keys=("question_id", "participant_id"))
_COUNT_UPVOTE = Prepared(sa.update(_QUESTIONS).where(_QUESTIONS.c.id == sa.bindparam("id"))
                         .values(votes=_QUESTIONS.c.votes + 1))
_VOTES = Prepared(sa.select(_QUESTIONS.c.votes).where(_QUESTIONS.c.id == sa.bindparam("id")))


def do_upvote(session: AnySession, participant: AnyParticipant, question_id: Any) -> int:
    """Up-vote a question once; return its votes.

    A hall up-votes hundreds of times a second: four prepared statements, no ORM objects.
    """
    with unit_of_work():
        if not is_id(question_id):
            raise ServiceError(N_("Send the question as a number."))
        connection = db.session.connection()
        found = _QUESTION.first({"id": question_id}, connection)
        if found is None or found[0] != session.id or found[1] != "open":
            raise ServiceError(N_("That question is not open any more."))
        try:
            _UPVOTE.run({"question_id": question_id, "participant_id": participant.id},
                        connection).close()
        except sa.exc.IntegrityError:
            raise ServiceError(N_("You have already up-voted that question.")) from None
        _COUNT_UPVOTE.run({"id": question_id}, connection).close()
        votes = _VOTES.first({"id": question_id}, connection)
        on_commit(broadcast_questions, session)
    return int(votes[0]) if votes else 0


def my_questions(session: AnySession, participant: AnyParticipant | None
                 ) -> list[dict[str, Any]]:
    """Return the questions this participant asked about the current pitch, oldest first,
    each with what its phone says of it (see `rules.asker_state`) and any hiding reason."""
    if participant is None:
        return []
    rows = db.session.execute(
        sa.select(LiveQuestion.id, LiveQuestion.text, LiveQuestion.state,
                  LiveQuestion.hidden_reason)
        .where(LiveQuestion.session_id == session.id,
               LiveQuestion.position == session.current,
               LiveQuestion.participant_id == participant.id)
        .order_by(LiveQuestion.id)).all()
    return [{"id": qid, "text": text, "state": rules.asker_state(state), "reason": reason}
            for qid, text, state, reason in rows]


def do_moderate(actor: User | None, session: AnySession, question_id: Any, action: Any,
                reason: Any = None) -> LiveQuestion:
    """Approve, hide (with a reason, kept in the session's log) or mark answered a question
    (the facilitator's console), then tell every screen.

    Every screen gets the new question lists and the new state (every control sends one);
    the asker's phone reads its question's fate from `question_states`.
    """
    with unit_of_work():
        require_runner(actor)
        if not isinstance(action, str) or action not in rules.QUESTION_ACTIONS:
            raise ServiceError(N_("That is not something the console can do."))
        question = db.session.get(LiveQuestion, question_id) if is_id(question_id) else None
        if question is None or question.session_id != session.id:
            raise ServiceError(N_("That question is not open any more."))
        why = rules.check_hide_reason(reason if isinstance(reason, str) else None) \
            if action == "hide" else None
        question.state = rules.moderate(question.state, action)
        question.hidden_reason = why
        detail: dict[str, Any] = {"question": question.id, "text": question.text}
        if why:
            detail["reason"] = why
        audit.record(actor, f"live.question.{action}", "live_session", session.id, **detail)
        on_commit(broadcast_questions, session)
        on_commit(broadcast_state, session)
    return question


def do_answer(actor: User | None, session: AnySession, question_id: Any) -> None:
    """Mark a question answered (the facilitator's console), taking it off the list."""
    do_moderate(actor, session, question_id, "answer")
