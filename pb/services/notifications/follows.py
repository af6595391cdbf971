"""Following rounds and proposals: by a button, or by default for your own proposals and
those you commented on (until you unfollow them)."""

from __future__ import annotations

import sqlalchemy as sa

from pb.extensions import db
from pb.models import Follow, Proposal, Round, User
from pb.services import unit_of_work


def _row(user_id: int, round_id: int | None, proposal_id: int | None) -> Follow | None:
    column, value = ((Follow.round_id, round_id) if round_id is not None
                     else (Follow.proposal_id, proposal_id))
    return db.session.scalars(sa.select(Follow).where(Follow.user_id == user_id,
                                                      column == value)).first()


def is_following(user: User | None, *, round_: Round | None = None,
                 proposal: Proposal | None = None) -> bool:
    """Tell whether `user` follows the round or the proposal."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    row = _row(user.id, round_.id if round_ else None, proposal.id if proposal else None)
    return bool(row and row.active)


def do_follow(user: User, following: bool, *, round_: Round | None = None,
              proposal: Proposal | None = None) -> None:
    """Follow or unfollow a round or a proposal (an unfollow is remembered)."""
    with unit_of_work():
        _set(user.id, following, round_.id if round_ else None,
             proposal.id if proposal else None)


def follow_by_default(user_id: int | None, proposal_id: int) -> None:
    """Follow a proposal one wrote or commented on, unless one chose otherwise before.

    Joins the caller's unit of work."""
    if user_id is not None and _row(user_id, None, proposal_id) is None:
        with unit_of_work():
            db.session.add(Follow(user_id=user_id, proposal_id=proposal_id))


def _set(user_id: int, following: bool, round_id: int | None,
         proposal_id: int | None) -> None:
    row = _row(user_id, round_id, proposal_id)
    if row is None:
        db.session.add(Follow(user_id=user_id, round_id=round_id, proposal_id=proposal_id,
                              active=following))
    else:
        row.active = following


def followers_of_round(round_id: int, *, with_proposals: bool = False) -> list[User]:
    """Return the people following a round (and, if asked, any of its proposals)."""
    who = sa.select(Follow.user_id).where(Follow.active, Follow.round_id == round_id)
    if with_proposals:
        who = who.union(sa.select(Follow.user_id).join(Proposal, Proposal.id == Follow.proposal_id)
                        .where(Follow.active, Proposal.round_id == round_id))
    return list(db.session.scalars(sa.select(User).where(User.id.in_(who)).order_by(User.id)))


def followers_of_proposal(proposal_id: int) -> list[User]:
    """Return the people following a proposal."""
    return list(db.session.scalars(
        sa.select(User).join(Follow, Follow.user_id == User.id)
        .where(Follow.active, Follow.proposal_id == proposal_id).order_by(User.id)))


def followed(user: User) -> tuple[list[Round], list[Proposal]]:
    """Return the rounds and proposals `user` follows."""
    rounds = db.session.scalars(sa.select(Round).join(Follow, Follow.round_id == Round.id)
                                .where(Follow.user_id == user.id, Follow.active)
                                .order_by(Round.id)).all()
    proposals = db.session.scalars(
        sa.select(Proposal).join(Follow, Follow.proposal_id == Proposal.id)
        .where(Follow.user_id == user.id, Follow.active).order_by(Proposal.id)).all()
    return list(rounds), list(proposals)
