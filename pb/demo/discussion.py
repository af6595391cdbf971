"""Seed lively demo discussions: dozens of comments with replies and all three stances across
the rounds open for discussion, one hidden comment, one flag.

Idempotent: every comment has a fixed one-time key, so seeding again posts nothing new. New
comments are dated over the past weeks, as a real thread would be.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from pb.demo.data import DEMO_PASSWORD
from pb.demo.threads import THREADS
from pb.extensions import db
from pb.models import Comment, Flag, Proposal, Round, User
from pb.models.base import utcnow
from pb.services import accounts, discussion

PEOPLE = [("mair@demo.example.org", "Mair Jones"), ("tomos@demo.example.org", "Tomos Price"),
          ("priya@demo.example.org", "Priya Shah"), ("sian@demo.example.org", "Siân Evans"),
          ("resident@demo.example.org", "Rhys Resident"),
          ("jamal@demo.example.org", "Jamal Okafor"), ("gwen@demo.example.org", "Gwen Roberts"),
          ("marek@demo.example.org", "Marek Nowak"), ("hannah@demo.example.org", "Hannah Lewis")]
SPACING = timedelta(hours=3)  # between two comments of the demo, oldest first

HIDDEN = ("a5", "personal attack")
FLAGGED = ("a4", 0, "The cost figure quoted in this comment is wrong.")


def seed_discussion(officer: User) -> str:
    """Create what is missing of the demo discussions; return a line saying what exists."""
    people = [accounts.find_by_email(email) or accounts.do_register(
        email, name, DEMO_PASSWORD) for email, name in PEOPLE]
    posted: dict[str, Comment] = {}
    start = utcnow() - SPACING * sum(len(comments) for _t, _n, comments in THREADS)
    for round_title, number, comments in THREADS:
        proposal = _proposal(round_title, number)
        if proposal is None:
            continue
        for key, author, parent, stance, body in comments:
            parent_id = posted[parent].id if parent else None
            comment, new = discussion.do_post(people[author], proposal, discussion.PostData(
                stance=stance, body=body, form_key=f"demo-discussion-{key}-0000",
                parent_id=parent_id))
            if new:  # dated in the past, in the order posted (and clear of the rate limit)
                comment.created_at = start + SPACING * len(posted)
                db.session.commit()
            posted[key] = comment
    if HIDDEN[0] in posted and not posted[HIDDEN[0]].hidden:
        discussion.do_moderate(officer, posted[HIDDEN[0]], discussion.HIDE, HIDDEN[1])
    key, who, reason = FLAGGED
    if key in posted and not db.session.scalar(sa.select(Flag.id).where(
            Flag.comment_id == posted[key].id)):
        discussion.do_flag(people[who], posted[key], reason)
    return f"Discussions: {len(posted)} demo comments, one hidden, one flagged"


def _proposal(round_title: str, number: int) -> Proposal | None:
    round_id = db.session.scalar(sa.select(Round.id).where(Round.title == round_title))
    if round_id is None:
        return None
    return db.session.scalars(sa.select(Proposal).where(Proposal.round_id == round_id)
                              .order_by(Proposal.id).offset(number).limit(1)).first()
