"""Notifications: who is told of each kind of event, by email at once, in the daily digest or
never, in their own language, with a one-click unsubscribe (docs/accounts.md)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from pb.extensions import db
from pb.models import Notification, OutboxMessage, PhaseStart, User
from pb.models.base import utcnow
from pb.services import notifications, proposals, rounds, voting
from pb.services.council.responses import ResponseData, do_respond
from pb.services.notifications import emails
from tests.factories import REASONS, add_projects, key, make_setup, post, publish


def told(user: User, kind: str | None = None) -> list[Notification]:
    query = sa.select(Notification).where(Notification.user_id == user.id)
    if kind:
        query = query.where(Notification.kind == kind)
    return list(db.session.scalars(query.order_by(Notification.id)))


def mails(user: User) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.recipient == user.email).order_by(OutboxMessage.id)))


@pytest.fixture()
def submitted(make_round: Any, make_user: Any) -> Any:
    author, officer = make_user(name="Rhys Resident"), make_user("officer")
    round_ = make_round("proposals", officer=officer)
    proposal = proposals.do_create(author, round_, proposals.ProposalData(
        title="Street trees", summary="Forty trees.", body="Trees.", cost_minor=2_400_000),
        submit=True)[0]
    rounds.do_change_phase(officer, round_, "review")
    return author, round_, proposal, officer


def review(proposal: Any, officer: User) -> None:
    proposals.do_review(officer, proposal, "not_feasible", "The ground is unsafe.",
                        expected_version=proposal.version)


# A review of my proposal, and following --------------------------------------------------------

def test_the_author_and_followers_hear_of_a_review_by_email_and_in_the_list(
        submitted: Any, make_user: Any) -> None:
    author, _round, proposal, officer = submitted
    follower, stranger = make_user(), make_user()
    notifications.do_follow(follower, True, proposal=proposal)
    review(proposal, officer)
    for person in (author, follower):
        (note,) = told(person, "review")
        assert note.url == f"/proposals/{proposal.id}" and note.read_at is None
        (mail,) = [m for m in mails(person) if "Street trees" in m.subject]
        assert "The ground is unsafe." in mail.body and "Not feasible" in mail.subject
        assert mail.unsubscribe_url and "/unsubscribe/" in mail.unsubscribe_url
        assert "<a href=" in (mail.html or "")
    assert told(stranger) == [] and told(officer, "review") == []
    assert notifications.unread_count(author) == 1
    notifications.do_mark_read(author)
    assert notifications.unread_count(author) == 0


def test_an_unfollowed_proposal_stays_unfollowed_after_commenting(
        submitted: Any, make_user: Any) -> None:
    author, _round, proposal, officer = submitted
    notifications.do_follow(author, False, proposal=proposal)
    post(author, proposal, "Still a good idea.")  # commenting does not follow it again
    review(proposal, officer)
    assert told(author, "review") == []


# Phases and results of followed rounds ---------------------------------------------------------

def test_followers_of_a_round_hear_of_its_phase_changes_and_results(
        make_round: Any, make_user: Any) -> None:
    officer = make_user("officer")
    round_ = make_round("deliberation", officer=officer)
    follower, proposal_follower, other = make_user(), make_user(), make_user()
    notifications.do_follow(follower, True, round_=round_)
    notifications.do_follow(officer, True, round_=round_)
    (project,) = add_projects(round_, [10_000])
    notifications.do_follow(proposal_follower, True, proposal=project)
    rounds.do_change_phase(officer, round_, "voting")
    (note,) = told(follower, "phase")
    assert note.params["phase"] == "voting" and told(proposal_follower) == []
    assert told(officer) == []  # not told of what they did themselves
    rounds.do_change_phase(officer, round_, "results")
    assert len(told(follower, "results")) == 1 and len(told(proposal_follower, "results")) == 1
    assert told(other) == []


def test_a_notification_is_rolled_back_with_the_change(make_round: Any, make_user: Any) -> None:
    officer = make_user("officer")
    round_ = make_round("proposals", officer=officer)
    follower = make_user()
    notifications.do_follow(follower, True, round_=round_)
    with pytest.raises(Exception, match="meanwhile"):
        rounds.do_change_phase(officer, round_, "review", expected="draft")
    assert told(follower) == [] and mails(follower) == []


# Replies ---------------------------------------------------------------------------------------

def test_a_reply_tells_the_author_of_the_comment_and_commenters_follow(
        make_round: Any, make_user: Any) -> None:
    from tests.factories import make_proposal

    proposal = make_proposal(make_round)
    first, second = make_user(name="Ana"), make_user(name="Ben")
    comment = post(first, proposal, "Benches would help.")
    post(second, proposal, "Agreed, near the pond.", parent=comment)
    (note,) = told(first, "reply")
    assert note.params["name"] == "Ben" and "near the pond" in note.params["excerpt"]
    assert note.url.endswith(f"#comment-{comment.id + 1}")
    post(first, proposal, "Answering myself.", parent=comment)
    assert len(told(first, "reply")) == 1  # never told of one's own reply
    assert notifications.is_following(second, proposal=proposal)


# Councils --------------------------------------------------------------------------------------

def test_council_members_hear_of_a_referral_and_of_responses(make_user: Any) -> None:
    setup = make_setup(make_user)
    (referral,) = told(setup.member, "referral")
    assert referral.params["question"] == "How should the parks budget be spent?"
    assert told(setup.officer) == []
    first, second, _third = publish(setup)
    do_respond(setup.officer, first, ResponseData("accepted"))
    do_respond(setup.officer, second, ResponseData("not_accepted", REASONS))
    answers = told(setup.member, "response")
    assert [n.params["number"] for n in answers] == [1, 2]
    assert answers[1].params["reasons"] == REASONS
    assert any("Recommendation 2" in m.subject for m in mails(setup.member))


# Voting closes in 24 hours ---------------------------------------------------------------------

def test_the_closing_reminder_goes_once_and_only_to_followers_who_have_not_voted(
        make_round: Any, make_user: Any) -> None:
    officer = make_user("officer")
    round_ = make_round("deliberation", officer=officer)
    projects = add_projects(round_, [10_000, 20_000])
    rounds.do_change_phase(officer, round_, "voting")
    voted, not_voted, stranger = make_user(), make_user(), make_user()
    notifications.do_follow(voted, True, round_=round_)
    notifications.do_follow(not_voted, True, proposal=projects[0])
    voting.do_cast(round_, voting.voter_for_user(round_, voted), [str(projects[0].id)], key())
    assert notifications.send_voting_reminders() == 0  # no closing time yet
    db.session.add(PhaseStart(round_id=round_.id, phase="results",
                              starts_at=utcnow() + timedelta(hours=30)))
    db.session.commit()
    assert notifications.send_voting_reminders() == 0  # more than 24 hours away
    assert notifications.send_voting_reminders(utcnow() + timedelta(hours=7)) == 1
    assert told(voted, "closing") == [] and told(stranger) == []
    (note,) = told(not_voted, "closing")
    assert note.url == f"/rounds/{round_.id}"
    assert notifications.send_voting_reminders(utcnow() + timedelta(hours=8)) == 0  # once


# Choices: daily digest, never -----------------------------------------------------------------

def test_daily_digest_collects_the_days_notifications_in_one_email(
        submitted: Any, make_user: Any) -> None:
    author, round_, proposal, officer = submitted
    notifications.do_set_preferences(author, {"review": "daily", "phase": "never"})
    notifications.do_follow(author, True, round_=round_)
    review(proposal, officer)
    rounds.do_change_phase(officer, round_, "deliberation")
    assert mails(author) == []  # nothing at once
    assert {n.kind for n in told(author)} == {"review", "phase"}  # both in the list
    assert notifications.send_digests() == 1
    (digest,) = mails(author)
    assert "daily summary (1 new)" in digest.subject and "Street trees" in digest.body
    assert "new phase" not in digest.body  # "never" means no email at all
    assert notifications.send_digests() == 0  # once a day
    assert notifications.send_digests(utcnow() + timedelta(days=1)) == 0  # nothing new
    token = digest.unsubscribe_url.rsplit("/", 1)[1]
    notifications.do_unsubscribe(token)
    assert notifications.preferences(author)["review"] == "never"


# Language and unsubscribing -------------------------------------------------------------------

def test_emails_are_written_in_the_readers_language(make_round: Any, make_user: Any) -> None:
    officer = make_user("officer")
    round_ = make_round("deliberation", officer=officer)
    welsh, english = make_user(), make_user()
    notifications.do_remember_language(welsh, "cy")
    for person in (welsh, english):
        notifications.do_follow(person, True, round_=round_)
    rounds.do_change_phase(officer, round_, "voting")
    (cy,), (en,) = mails(welsh), mails(english)
    assert "Pleidleisio" in cy.subject and "Voting" in en.subject


def test_unsubscribe_tokens_name_the_person_and_kind_and_refuse_tampering(
        make_user: Any) -> None:
    person = make_user()
    token = emails.make_token(person.id, "review")
    assert emails.read_token(token) == (person.id, "review")
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert notifications.do_unsubscribe(tampered) is None
    assert notifications.preferences(person)["review"] == "immediately"
    assert notifications.do_unsubscribe(token) == (person, "review")
    assert notifications.preferences(person)["review"] == "never"
    assert notifications.preferences(person)["reply"] == "immediately"
