"""The demo resident's notifications: what a resident who follows the town's rounds and
their own proposals would find waiting (some read, most not)."""

from __future__ import annotations

import sqlalchemy as sa
import sqlalchemy.orm as so

from pb.extensions import db
from pb.models import Comment, Follow, Notification, Proposal, Round, User
from pb.models.base import utcnow
from pb.services import notifications, unit_of_work

SHOWN = ("voting", "results", "implementation", "deliberation")


def seed_notifications(resident: User) -> str:
    """Follow the public rounds and the resident's proposals, and leave notifications of
    their latest news; once (a resident who follows a round is left as they are)."""
    if db.session.scalar(sa.select(Follow.id).where(Follow.user_id == resident.id,
                                                   Follow.round_id.is_not(None)).limit(1)):
        return f"Kept the notifications of {resident.email}."
    with unit_of_work():
        for round_ in db.session.scalars(sa.select(Round).where(Round.phase.in_(SHOWN))
                                         .order_by(Round.id)):
            notifications.do_follow(resident, True, round_=round_)
            kind = "results" if round_.phase in ("results", "implementation") else "phase"
            notifications.notify([resident], kind, {"round": round_.title,
                                                    "round_id": round_.id,
                                                    "phase": round_.phase},
                                 notifications.path_for("rounds.show", round_id=round_.id))
        for proposal in db.session.scalars(
                sa.select(Proposal).where(Proposal.author_id == resident.id,
                                          Proposal.status.in_(("feasible", "not_feasible")))
                .order_by(Proposal.id).limit(2)):
            notifications.do_follow(resident, True, proposal=proposal)
            notifications.notify([resident], "review", {
                "proposal": proposal.title, "proposal_id": proposal.id,
                "outcome": proposal.status,
                "note": proposal.status_note or "Checked with the parks team: it can be done "
                                                "for the cost given."},
                notifications.path_for("proposals.show", proposal_id=proposal.id))
        if not db.session.scalar(sa.select(Notification.id).where(
                Notification.user_id == resident.id, Notification.kind == "reply").limit(1)):
            _reply(resident)  # the discussion's seed may have told them already
        made = list(db.session.scalars(sa.select(Notification).where(
            Notification.user_id == resident.id).order_by(Notification.id)))
        for note in made[:1]:  # the oldest was read already
            note.read_at = utcnow()
    return f"Left {len(made)} notifications for {resident.email} ({len(made) - 1} unread)."


def _reply(resident: User) -> None:
    """Tell the resident of the latest reply to one of their comments, if there is one."""
    parent = so.aliased(Comment)
    found = db.session.execute(
        sa.select(Comment, parent).join(parent, Comment.parent_id == parent.id)
        .where(parent.author_id == resident.id, Comment.author_id != resident.id)
        .order_by(Comment.id.desc()).limit(1)).first()
    if found is None:
        return
    reply, _mine = found
    proposal = db.session.get(Proposal, reply.proposal_id)
    notifications.notify([resident], "reply", {
        "proposal": proposal.title, "proposal_id": proposal.id,
        "name": reply.author.display_name if reply.author else "", "excerpt": reply.body[:500]},
        notifications.path_for("discussion.show", proposal_id=proposal.id)
        + f"#comment-{reply.id}")
