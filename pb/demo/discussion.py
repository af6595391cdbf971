"""Seed lively demo discussions: replies, all three stances, one hidden comment, one flag.

Idempotent: every comment has a fixed one-time key, so seeding again posts nothing new.
"""

from __future__ import annotations

import sqlalchemy as sa

from pb.demo.data import DEMO_PASSWORD
from pb.extensions import db
from pb.models import Flag, Proposal, Round, User
from pb.services import accounts, discussion

PEOPLE = [("mair@demo.example.org", "Mair Jones"), ("tomos@demo.example.org", "Tomos Price"),
          ("priya@demo.example.org", "Priya Shah")]

# (round title, proposal number in that round, [(key, author, parent key, stance, text)])
THREADS = [
    ("Youth Decide 2026", 0, [
        ("a1", 0, None, "for", "My daughter would use this every week. The nearest one is "
                               "two bus rides away."),
        ("a2", 1, "a1", "question", "Who would look after it in the evenings? Is there a "
                                    "plan for **staffing**?"),
        ("a3", 2, "a2", "for", "The proposal says the youth service would open it three "
                               "evenings a week."),
        ("a4", 1, None, "against", "I like the idea, but the cost seems high for what it is. "
                                   "Could it share a building?"),
        ("a5", 2, None, "against", "Whoever wrote this is an idiot and should move away."),
    ]),
    ("Youth Decide 2026", 1, [
        ("b1", 1, None, "question", "Would this run in the school holidays too?"),
        ("b2", 0, "b1", "for", "It should! Holidays are when young people need it most."),
        ("b3", 2, None, "for", "Strongly support: see the [youth survey]"
                               "(https://example.org/survey) results."),
    ]),
    ("Green Northfield 2027", 0, [
        ("c1", 0, None, "for", "Great idea for the park."),
        ("c2", 2, "c1", "question", "Has anyone asked the allotment society?"),
    ]),
]
HIDDEN = ("a5", "personal attack")
FLAGGED = ("a4", 0, "The cost figure quoted in this comment is wrong.")


def seed_discussion(officer: User) -> str:
    """Create what is missing of the demo discussions; return a line saying what exists."""
    people = [accounts.find_by_email(email) or accounts.do_register(
        email, name, DEMO_PASSWORD) for email, name in PEOPLE]
    posted = {}
    for round_title, number, comments in THREADS:
        proposal = _proposal(round_title, number)
        if proposal is None:
            continue
        for key, author, parent, stance, body in comments:
            parent_id = posted[parent].id if parent else None
            comment, _new = discussion.do_post(people[author], proposal, discussion.PostData(
                stance=stance, body=body, form_key=f"demo-discussion-{key}-0000",
                parent_id=parent_id))
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
