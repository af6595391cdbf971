"""The events services announce, each as one call inside the service's unit of work: who is
told, with what, and which page the notification opens."""

from __future__ import annotations

from collections.abc import Iterable

from pb.extensions import db
from pb.models import Comment, Proposal, Recommendation, Referral, Response, Round, User
from pb.services.notifications.follows import (
    follow_by_default,
    followers_of_proposal,
    followers_of_round,
)
from pb.services.notifications.inbox import notify, path_for


def phase_changed(actor: User | None, round_: Round, target: str) -> None:
    """Tell a round's followers it moved; results, also to those following its proposals."""
    path = path_for("rounds.show", round_id=round_.id)
    if target == "results":
        notify(followers_of_round(round_.id, with_proposals=True), "results",
               {"round": round_.title, "round_id": round_.id}, path, actor=actor)
    else:
        notify(followers_of_round(round_.id), "phase",
               {"round": round_.title, "round_id": round_.id, "phase": target}, path,
               actor=actor)


def proposal_written(author: User, proposal: Proposal) -> None:
    """Its author follows a new proposal."""
    follow_by_default(author.id, proposal.id)


def proposal_reviewed(actor: User, proposal: Proposal, outcome: str, note: str) -> None:
    """Tell a proposal's followers (its authors by default) an officer's decision."""
    notify(followers_of_proposal(proposal.id), "review",
           {"proposal": proposal.title, "proposal_id": proposal.id, "outcome": outcome,
            "note": note[:1000]},
           path_for("proposals.show", proposal_id=proposal.id), actor=actor)


def comment_posted(author: User, comment: Comment, proposal: Proposal) -> None:
    """The commenter follows the proposal; the author of the comment replied to is told."""
    follow_by_default(author.id, proposal.id)
    parent = db.session.get(Comment, comment.parent_id) if comment.parent_id else None
    if parent is None or parent.author is None:
        return
    notify([parent.author], "reply",
           {"proposal": proposal.title, "proposal_id": proposal.id,
            "name": author.display_name, "excerpt": comment.body[:500]},
           path_for("discussion.show", proposal_id=proposal.id) + f"#comment-{comment.id}",
           actor=author)


def question_referred(actor: User, referral: Referral, members: Iterable[User]) -> None:
    """Tell a council's current members a question waits for their advice."""
    notify(members, "referral",
           {"council": referral.council.name, "question": referral.question,
            "referral_id": referral.id},
           path_for("council.referral", referral_id=referral.id), actor=actor)


def advice_answered(actor: User, rec: Recommendation, response: Response,
                    members: Iterable[User]) -> None:
    """Tell a council's current members the decision body responded to their advice."""
    notify(members, "response",
           {"council": rec.referral.council.name, "number": rec.number,
            "outcome": response.outcome, "reasons": response.reasons[:1000],
            "recommendation_id": rec.id},
           path_for("council.recommendation", rec_id=rec.id), actor=actor)
