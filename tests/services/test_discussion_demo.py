"""The demo town has lively discussions, and seeding again adds nothing."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from pb import demo
from pb.extensions import db
from pb.models import Comment, Flag, ModerationAction


def test_demo_discussions_are_lively_and_seeded_once(app: Any) -> None:
    list(demo.seed())
    comments = db.session.scalars(sa.select(Comment)).all()
    assert len(comments) >= 10
    assert {c.stance for c in comments} == {"for", "against", "question"}
    assert any(c.parent_id for c in comments)
    (hidden,) = [c for c in comments if c.hidden]
    assert hidden.hidden_reason == "personal attack"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 1
    list(demo.seed())
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == len(comments)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Flag)) == 1
