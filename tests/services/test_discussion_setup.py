"""Helpers the discussion tests share: a proposal open for comments, and posting to it."""

from __future__ import annotations

import uuid
from typing import Any

from pb.extensions import db
from pb.models import Comment, Proposal, User
from pb.services import discussion


def make_proposal(make_round: Any, phase: str = "deliberation", status: str = "feasible",
                  title: str = "Benches on the green", round_: Any = None) -> Proposal:
    """Create a proposal in a round in `phase` (a round is made unless one is given)."""
    round_ = round_ or make_round(phase)
    proposal = Proposal(round_id=round_.id, title=title, summary="Somewhere to sit.",
                        cost_minor=500_000, status=status, language="en")
    db.session.add(proposal)
    db.session.commit()
    return proposal


def key() -> str:
    """Return a fresh one-time form key."""
    return uuid.uuid4().hex


def post(author: User, proposal: Proposal, body: str = "I would use these every day.",
         stance: str = "for", parent: Comment | None = None) -> Comment:
    """Post a comment through the service and return it."""
    comment, created = discussion.do_post(author, proposal, discussion.PostData(
        stance=stance, body=body, form_key=key(), parent_id=parent.id if parent else None))
    assert created
    return comment


def comment_count() -> int:
    """Return how many comments are stored, to check nothing was half-written."""
    import sqlalchemy as sa

    return db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) or 0
