"""The discussion service: posting, replying, replays, editing, flags, moderation, counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from freezegun import freeze_time

from pb.domain import discussion as rules
from pb.domain.discussion import DiscussionError
from pb.extensions import db
from pb.models import AuditEntry, Comment, Flag, ModerationAction
from pb.services import discussion
from pb.services.discussion import PostData
from tests.factories import comment_count, key, make_proposal, post


def test_comments_and_replies_form_a_thread_with_counts(make_round: Any,
                                                        make_user: Any) -> None:
    proposal = make_proposal(make_round)
    ann, bob = make_user(name="Ann"), make_user(name="Bob")
    first = post(ann, proposal, "Yes please", "for")
    reply = post(bob, proposal, "Who maintains them?", "question", parent=first)
    deeper = post(ann, proposal, "The parish does.", "for", parent=reply)
    deepest = post(bob, proposal, "Then no.", "against", parent=deeper)
    assert (first.depth, reply.depth, deeper.depth) == (0, 1, 2)
    # Threads stop at MAX_DEPTH: a reply to the deepest comment joins its conversation.
    assert deepest.depth == rules.MAX_DEPTH and deepest.parent_id == reply.id
    assert discussion.counts(proposal.id) == {"for": 2, "against": 1, "question": 1}
    (root,) = discussion.thread(proposal, None)
    assert root.comment == first
    assert [n.comment for n in root.replies[0].replies] == [deeper, deepest]
    db.session.refresh(proposal)
    assert proposal.comment_count == 4


def test_a_replayed_form_posts_once(make_round: Any, make_user: Any) -> None:
    proposal, ann = make_proposal(make_round), make_user()
    data = PostData(stance="for", body="Once only", form_key=key())
    first, created = discussion.do_post(ann, proposal, data)
    again, created_again = discussion.do_post(ann, proposal, data)
    assert created and not created_again and again.id == first.id
    assert comment_count() == 1
    with pytest.raises(DiscussionError, match="out of date"):  # someone else's key
        discussion.do_post(make_user(), proposal, data)
    assert comment_count() == 1


@pytest.mark.parametrize(("data", "message"), [
    (PostData("for", "", "k" * 32), "Write your comment"),
    (PostData("for", "x" * (rules.BODY_MAX + 1), "k" * 32), "shorten it"),
    (PostData("maybe", "Fine", "k" * 32), "Choose whether"),
    (PostData(None, "Fine", "k" * 32), "Choose whether"),
    (PostData("for", "Fine", None), "out of date"),
    (PostData("for", "Fine", "bad key"), "out of date"),
    (PostData("for", "Fine", "k" * 32, parent_id=999_999), "no longer exists"),
])
def test_bad_comments_are_refused_and_nothing_is_stored(make_round: Any, make_user: Any,
                                                        data: PostData, message: str) -> None:
    proposal = make_proposal(make_round)
    with pytest.raises(DiscussionError, match=message):
        discussion.do_post(make_user(), proposal, data)
    db.session.rollback()
    assert comment_count() == 0


def test_replies_to_hidden_comments_or_other_proposals_are_refused(make_round: Any,
                                                                   make_user: Any) -> None:
    proposal = make_proposal(make_round)
    other = make_proposal(make_round, round_=proposal.round, title="Other")
    officer, ann = make_user("officer"), make_user()
    target = post(ann, proposal)
    elsewhere = post(ann, other)
    discussion.do_moderate(officer, target, "hide", "personal attack")
    for parent_id, message in ((target.id, "hid the comment"),
                               (elsewhere.id, "no longer exists")):
        with pytest.raises(DiscussionError, match=message):
            discussion.do_post(make_user(), proposal, PostData("for", "Hi", key(), parent_id))
    assert comment_count() == 2


@pytest.mark.parametrize(("phase", "status"), [
    ("results", "feasible"), ("closed", "feasible"), ("deliberation", "withdrawn"),
    ("deliberation", "merged"), ("proposals", "draft")])
def test_closed_discussions_refuse_comments(make_round: Any, make_user: Any, phase: str,
                                            status: str) -> None:
    proposal = make_proposal(make_round, phase=phase, status=status)
    with pytest.raises(DiscussionError):
        post(make_user(), proposal)
    assert comment_count() == 0
    assert not discussion.is_open(proposal)


def test_posting_is_rate_limited_per_person(make_round: Any, make_user: Any) -> None:
    proposal, ann = make_proposal(make_round), make_user()
    for n in range(rules.POST_LIMIT):
        post(ann, proposal, f"Point {n}")
    with pytest.raises(DiscussionError, match="Wait ten minutes"):
        post(ann, proposal, "One more")
    post(make_user(), proposal, "Someone else may still post")
    with freeze_time(discussion.utcnow() + rules.POST_PERIOD + timedelta(seconds=1)):
        post(ann, proposal, "Later on")
    assert comment_count() == rules.POST_LIMIT + 2


def test_authors_edit_within_the_window_and_edits_are_marked(make_round: Any,
                                                             make_user: Any) -> None:
    proposal, ann = make_proposal(make_round), make_user()
    comment = post(ann, proposal, "Typo hree", "for")
    with pytest.raises(DiscussionError, match="Only the person"):
        discussion.do_edit(make_user(), comment, "for", "Hijack")
    discussion.do_edit(ann, comment, "against", "Typo here")
    assert comment.body == "Typo here" and comment.edited_at is not None
    assert discussion.counts(proposal.id)["against"] == 1
    with pytest.raises(DiscussionError, match="Write your comment"):
        discussion.do_edit(ann, comment, "for", "  ")
    db.session.rollback()
    with freeze_time(comment.created_at + rules.EDIT_WINDOW + timedelta(minutes=1)), \
            pytest.raises(DiscussionError, match="15 minutes"):
        discussion.do_edit(ann, comment, "for", "Too late")
    db.session.refresh(comment)
    assert comment.body == "Typo here"


def test_flags_need_a_reason_once_per_person_and_are_rate_limited(make_round: Any,
                                                                  make_user: Any) -> None:
    proposal, ann, bob = make_proposal(make_round), make_user(), make_user()
    comment = post(ann, proposal)
    with pytest.raises(DiscussionError, match="own comment"):
        discussion.do_flag(ann, comment, "spam")
    with pytest.raises(DiscussionError, match="short reason"):
        discussion.do_flag(bob, comment, "")
    discussion.do_flag(bob, comment, "spam")
    with pytest.raises(DiscussionError, match="already flagged"):
        discussion.do_flag(bob, comment, "spam again")
    flagger = make_user()
    others = [post(make_user(), proposal, f"Comment {n}") for n in range(rules.FLAG_LIMIT)]
    for other in others:
        discussion.do_flag(flagger, other, "off topic")
    with pytest.raises(DiscussionError, match="flagged 10 comments"):
        discussion.do_flag(flagger, comment, "spam")
    count = db.session.scalar(sa.select(sa.func.count()).select_from(Flag))
    assert count == 1 + rules.FLAG_LIMIT
    assert [c.id for c, _flags in discussion.open_flags()][0] == comment.id


def test_officers_hide_with_a_public_reason_and_show_again(make_round: Any,
                                                           make_user: Any) -> None:
    proposal, ann, officer = make_proposal(make_round), make_user(), make_user("officer")
    comment = post(ann, proposal, "Rude words", "against")
    discussion.do_flag(make_user(), comment, "rude")
    discussion.do_moderate(officer, comment, "hide", "personal attack")
    assert comment.hidden and comment.hidden_reason == "personal attack"
    assert discussion.counts(proposal.id)["against"] == 0
    assert proposal.comment_count == 0
    assert discussion.open_flags() == []  # hiding deals with the flags
    # Everyone sees the reason; only the author and moderators still see the text.
    assert discussion.thread(proposal, None)[0].show_body is False
    assert discussion.thread(proposal, ann)[0].show_body is True
    assert discussion.thread(proposal, officer)[0].show_body is True
    assert discussion.thread(proposal, make_user())[0].show_body is False
    with pytest.raises(DiscussionError, match="already hidden"):
        discussion.do_moderate(officer, comment, "hide", "again")
    discussion.do_moderate(officer, comment, "unhide", "misread, it was a quote")
    assert not comment.hidden and discussion.counts(proposal.id)["against"] == 1
    log = discussion.moderation_log()
    assert [(e.action, e.reason, e.moderator_role) for e in log] == [
        ("unhide", "misread, it was a quote", "officer"), ("hide", "personal attack", "officer")]
    actions = db.session.scalars(sa.select(AuditEntry.action).where(
        AuditEntry.subject_type == "comment")).all()
    assert "comment.hide" in actions and "comment.unhide" in actions


@pytest.mark.parametrize("roles", [(), ("facilitator",), ("council",)])
def test_only_officers_and_admins_moderate(make_round: Any, make_user: Any,
                                           roles: tuple[str, ...]) -> None:
    proposal = make_proposal(make_round)
    comment = post(make_user(), proposal)
    with pytest.raises(DiscussionError, match="Only officers"):
        discussion.do_moderate(make_user(*roles), comment, "hide", "personal attack")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ModerationAction)) == 0
    discussion.do_moderate(make_user("admin"), comment, "hide", "spam")
    assert discussion.moderation_log()[0].moderator_role == "admin"


def test_moderation_needs_a_reason(make_round: Any, make_user: Any) -> None:
    comment = post(make_user(), make_proposal(make_round))
    with pytest.raises(DiscussionError, match="short reason"):
        discussion.do_moderate(make_user("officer"), comment, "hide", " ")
    db.session.rollback()
    assert db.session.get(Comment, comment.id).hidden_at is None


def test_drafts_and_draft_rounds_are_private(make_round: Any, make_user: Any) -> None:
    author = make_user()
    draft = make_proposal(make_round, phase="proposals", status="draft")
    draft.author_id = author.id
    db.session.commit()
    assert discussion.get_proposal(draft.id, None) is None
    assert discussion.get_proposal(draft.id, make_user()) is None
    assert discussion.get_proposal(draft.id, author) is draft
    in_draft_round = make_proposal(make_round, phase="draft")
    assert discussion.get_proposal(in_draft_round.id, None) is None
    assert discussion.get_proposal(in_draft_round.id, make_user("officer")) is not None
