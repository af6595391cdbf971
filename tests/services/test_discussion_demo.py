"""The demo town has lively discussions, and seeding again adds nothing."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import sqlalchemy as sa

from pb import demo
from pb.extensions import db
from pb.models import Comment, Flag, ModerationAction, Proposal


def test_demo_discussions_are_lively_and_seeded_once(app: Any) -> None:
    list(demo.seed())
    comments = db.session.scalars(sa.select(Comment)).all()
    assert len(comments) >= 36  # dozens, not a handful
    assert {c.stance for c in comments} == {"for", "against", "question"}
    assert sum(1 for c in comments if c.parent_id) >= 20  # conversations, with replies
    discussed = {c.proposal_id for c in comments}
    assert len(discussed) >= 10
    assert len({db.session.get(Proposal, pid).round_id for pid in discussed}) >= 4
    assert len({c.author_id for c in comments}) >= 8
    dates = [c.created_at for c in sorted(comments, key=lambda c: c.id)]
    assert dates == sorted(dates) and dates[-1] - dates[0] > timedelta(days=3)
    (hidden,) = [c for c in comments if c.hidden]
    assert hidden.hidden_reason == "personal attack"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 1
    list(demo.seed())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == len(comments)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == 1
