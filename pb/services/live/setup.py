"""Setting a session up before the night: create it, change its settings and agenda, find it,
and open its round for voting when the facilitator runs the evening alone.

Sessions here are ORM `LiveSession`s (the set-up pages and the console read them); the
phones' fast path reads `LiveView`s from `store` instead.
"""

from __future__ import annotations

import sqlalchemy as sa

from pb.domain import live as rules
from pb.domain.errors import N_
from pb.domain.rounds import TALLY_KINDS
from pb.extensions import db
from pb.models import LiveItem, LiveSession, Round, User
from pb.services import ServiceError, audit, counting, on_commit, rounds, unit_of_work
from pb.services.live.screens import broadcast_state
from pb.services.live.store import check_not_ended, no_session


def require_runner(actor: User | None) -> None:
    """Refuse anyone but facilitators and officers (who run live sessions)."""
    if actor is None or not actor.runs_live:
        raise ServiceError(N_("Only facilitators and officers can run live sessions; ask an "
                              "admin for the facilitator role."))


def do_create(actor: User, round_: Round, title: str, access: str, method: str,
              agenda: list[tuple[int, int, int]], *, moderated: bool = False) -> LiveSession:
    """Create a session for a round with an agenda of (proposal id, pitch s, question s).

    `moderated` holds the room's questions for the facilitator to approve (the set-up
    form proposes it for youth mode: `rules.moderated_by_default`)."""
    with unit_of_work():
        require_runner(actor)
        session = LiveSession(round_id=round_.id, created_by_id=actor.id)
        _apply_settings(session, round_, title, access, method, agenda)
        session.moderated = bool(moderated)
        for _ in range(10):
            session.join_code = rules.new_join_code()
            if db.session.scalar(sa.select(LiveSession.id).where(
                    LiveSession.join_code == session.join_code)) is None:
                break
        db.session.add(session)
        db.session.flush()
        audit.record(actor, "live.created", "live_session", session.id, round=round_.id,
                     title=session.title, moderated=session.moderated)
    return session


def do_update(actor: User, session: LiveSession, title: str, access: str, method: str,
              agenda: list[tuple[int, int, int]], *,
              moderated: bool | None = None) -> LiveSession:
    """Change a session's settings and agenda, before it starts (`moderated` None keeps
    how its questions are shown)."""
    with unit_of_work():
        require_runner(actor)
        if session.phase != "lobby":
            raise ServiceError(N_("The session has started, so its agenda can no longer "
                                  "change."))
        _apply_settings(session, session.round, title, access, method, agenda)
        if moderated is not None:
            session.moderated = bool(moderated)
        session.version += 1
        audit.record(actor, "live.updated", "live_session", session.id,
                     moderated=session.moderated)
        on_commit(broadcast_state, session)
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
    """Return the session with this id, or None."""
    return db.session.get(LiveSession, session_id)


def by_code(text: str) -> LiveSession:
    """Return the session a typed join code opens, or refuse it clearly."""
    code = rules.normalise_join_code(text)
    session = db.session.scalar(sa.select(LiveSession).where(LiveSession.join_code == code)) \
        if code else None
    if session is None:
        raise no_session()
    check_not_ended(session.phase, session.round.phase)
    return session


def sessions_for(viewer: User | None) -> list[LiveSession]:
    """Return every session (for facilitators), newest first."""
    if viewer is None or not viewer.runs_live:
        return []
    return list(db.session.scalars(sa.select(LiveSession).order_by(LiveSession.id.desc())))


def check_open_voting(session: LiveSession) -> None:
    """Refuse to open the round for voting unless it is in deliberation, just before it."""
    if session.round.phase == "voting":
        raise ServiceError(N_("The round is already open for voting, so scoring can open."))
    if session.round.phase != "deliberation":
        raise ServiceError(N_("Only a round in its deliberation phase can be opened for voting "
                              "from the console; ask an officer to move the round."))


def do_open_voting(actor: User, session: LiveSession) -> LiveSession:
    """Move the session's round into its voting phase, so the room can score tonight.

    The round's own phase change (logged on its timeline, with this reason, and announced),
    done by the facilitator running a session of that round; every screen of the round's
    sessions then gets a fresh state, so consoles stop warning that scoring cannot open.
    """
    with unit_of_work():
        require_runner(actor)
        check_open_voting(session)
        round_ = session.round
        rounds.do_change_phase(actor, round_, "voting", expected="deliberation",
                               reason=f"Opened for voting from the live session "
                                      f"“{session.title}”.")
        audit.record(actor, "live.opened_voting", "live_session", session.id, round=round_.id)
        for other in db.session.scalars(sa.select(LiveSession).where(
                LiveSession.round_id == round_.id)):
            on_commit(broadcast_state, other)
    return session
