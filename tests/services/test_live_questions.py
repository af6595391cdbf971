"""Moderated questions: held for the facilitator, approved, hidden with a reason, answered.

A session either shows questions at once (as before) or holds them until the facilitator
approves them; the projector and phones list only the shown ones, the console lists the held
ones too, and the asker's phone can tell what became of its own question.
"""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from pb.domain import live as rules
from pb.domain.errors import UserError
from pb.extensions import db
from pb.models import AuditEntry, LiveQuestion, LiveSession
from pb.services import live
from tests.factories import open_round, plain_user


@pytest.fixture()
def night(app: Any, make_round: Any) -> Any:
    """Return a function making a started session (moderated or not) with a phone in it."""

    def make(moderated: bool) -> Any:
        round_ = open_round(make_round, officer=plain_user("officer"), ballot_method="scoring")
        session = live.do_create(round_.officer, round_, "Youth night", "open", "scoring",
                                 [(p.id, 60, 30) for p in round_.projects], moderated=moderated)
        live.do_control(round_.officer, session, "start")
        live.do_control(round_.officer, session, "open_questions")
        session.officer = round_.officer
        session.seat, _token = live.do_join(live.view(session.id))
        return session

    return make


def ask(session: Any, text: str) -> int:
    return live.do_ask(live.view(session.id), session.seat, text).id


def shown(session: Any) -> list[str]:
    return [q["text"] for q in live.questions(live.view(session.id))]


def test_a_held_question_reaches_the_screens_only_once_approved(night: Any) -> None:
    session = night(moderated=True)
    qid = ask(session, "Who looks after the garden?")
    view = live.view(session.id)
    assert shown(session) == []  # not on the projector or the phones
    assert [(q["id"], q["state"]) for q in live.console_questions(view)] == [(qid, "pending")]
    assert live.question_states(view) == {str(qid): {"state": "waiting"}}
    public = live.snapshot(view)
    assert public["questions"] == [] and public["moderated"] is True
    assert public["question_states"][str(qid)] == {"state": "waiting"}
    assert [q["id"] for q in live.snapshot(view, console=True)["questions"]] == [qid]
    with pytest.raises(UserError, match="not open any more"):
        live.do_upvote(view, live.do_join(view)[0], qid)  # nobody up-votes what is unseen

    live.do_moderate(session.officer, view, qid, "approve")
    assert shown(session) == ["Who looks after the garden?"]
    assert live.question_states(view) == {str(qid): {"state": "shown"}}
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "live.question.approve"))
    assert entry.subject_id == session.id and entry.detail["question"] == qid


def test_an_unmoderated_session_shows_questions_at_once_as_before(night: Any) -> None:
    session = night(moderated=False)
    qid = ask(session, "How much is the upkeep?")
    assert shown(session) == ["How much is the upkeep?"]
    view = live.view(session.id)
    assert live.question_states(view) == {str(qid): {"state": "shown"}}
    assert live.snapshot(view)["moderated"] is False
    with pytest.raises(UserError, match="already on the screens"):
        live.do_moderate(session.officer, view, qid, "approve")


@pytest.mark.parametrize("moderated", [True, False])
def test_hiding_needs_a_reason_which_the_asker_sees_and_the_log_keeps(night: Any,
                                                                      moderated: bool) -> None:
    session = night(moderated=moderated)
    qid = ask(session, "Is Mr Smith's son in this group?")
    view = live.view(session.id)
    for reason in (None, "", "   "):
        with pytest.raises(UserError, match="Say why the question is hidden"):
            live.do_moderate(session.officer, view, qid, "hide", reason)
    with pytest.raises(UserError, match="Keep the reason to 200 characters"):
        live.do_moderate(session.officer, view, qid, "hide", "x" * 201)
    assert db.session.get(LiveQuestion, qid).state == rules.asked_state(moderated)

    live.do_moderate(session.officer, view, qid, "hide", "It names a young person.")
    assert shown(session) == [] and live.console_questions(view) == []
    assert live.question_states(view) == {
        str(qid): {"state": "hidden", "reason": "It names a young person."}}
    assert live.my_questions(view, session.seat) == [
        {"id": qid, "text": "Is Mr Smith's son in this group?", "state": "hidden",
         "reason": "It names a young person."}]
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "live.question.hide"))
    assert entry.subject_type == "live_session" and entry.subject_id == session.id
    assert entry.detail == {"question": qid, "text": "Is Mr Smith's son in this group?",
                            "reason": "It names a young person."}
    with pytest.raises(UserError, match="not open any more"):
        live.do_moderate(session.officer, view, qid, "approve")


def test_answered_questions_leave_the_lists_and_the_asker_is_told(night: Any) -> None:
    session = night(moderated=True)
    held, approved = ask(session, "First?"), None
    view = live.view(session.id)
    live.do_moderate(session.officer, view, held, "answer")  # answered aloud while held
    live.do_ask(view, session.seat, "Second?")
    approved = live.console_questions(view)[0]["id"]
    live.do_moderate(session.officer, view, approved, "approve")
    live.do_answer(session.officer, view, approved)  # the old name still works
    assert shown(session) == [] and live.console_questions(view) == []
    assert [q["state"] for q in live.my_questions(view, session.seat)] == ["answered",
                                                                          "answered"]
    logged = db.session.scalars(sa.select(AuditEntry.detail).where(
        AuditEntry.action == "live.question.answer").order_by(AuditEntry.id))
    assert [d["question"] for d in logged] == [held, approved]


def test_only_runners_moderate_and_only_known_actions(night: Any) -> None:
    session = night(moderated=True)
    qid = ask(session, "Why?")
    view = live.view(session.id)
    with pytest.raises(UserError, match="Only facilitators and officers"):
        live.do_moderate(plain_user("resident"), view, qid, "approve")
    with pytest.raises(UserError, match="not something the console can do"):
        live.do_moderate(session.officer, view, qid, "delete")
    with pytest.raises(UserError, match="not open any more"):
        live.do_moderate(session.officer, view, "1; drop", "approve")
    assert db.session.get(LiveQuestion, qid).state == "pending"


def test_the_next_pitch_starts_with_no_questions_of_the_last(night: Any) -> None:
    session = night(moderated=False)
    ask(session, "About the first pitch?")
    live.do_control(session.officer, live.get(session.id), "next")
    view = live.view(session.id)
    assert shown(session) == [] and live.question_states(view) == {}
    assert live.my_questions(view, session.seat) == []


def test_existing_and_new_sessions_keep_showing_questions_unless_asked(night: Any) -> None:
    session = night(moderated=False)
    assert db.session.get(LiveSession, session.id).moderated is False
    # A row written without the column (as every session before the migration was) reads as
    # showing questions at once: the migration's server default.
    table = LiveSession.__table__
    columns = [c.name for c in table.columns
               if c.name not in ("id", "moderated", "revealed_result", "join_code")]
    db.session.execute(sa.insert(table).from_select(
        [*columns, "join_code"],
        sa.select(*(table.c[c] for c in columns), sa.literal("OLDONE"))
        .where(table.c.id == session.id), include_defaults=False))
    db.session.commit()
    old = db.session.scalar(sa.select(LiveSession).where(LiveSession.join_code == "OLDONE"))
    assert old.moderated is False
    assert rules.moderated_by_default("open") is True
    assert rules.moderated_by_default("cards") is False
    assert rules.moderated_by_default("accounts") is False


@pytest.mark.parametrize("state, action, after", [
    ("pending", "approve", "open"), ("pending", "hide", "hidden"),
    ("pending", "answer", "answered"), ("open", "hide", "hidden"),
    ("open", "answer", "answered"),
])
def test_the_moves_a_question_can_make(state: str, action: str, after: str) -> None:
    assert rules.moderate(state, action) == after


@pytest.mark.parametrize("state", ["hidden", "answered"])
@pytest.mark.parametrize("action", rules.QUESTION_ACTIONS)
def test_hidden_and_answered_questions_are_done_with(state: str, action: str) -> None:
    with pytest.raises(rules.LiveError):
        rules.moderate(state, action)
