"""The account page (issue #16): change name and email, see my proposals, comments and the
rounds I voted in, download my data, delete my account; the privacy notice and accessibility
statement; the favicon (docs/accounts.md)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import sqlalchemy as sa
from flask_babel import force_locale, gettext

from pb.extensions import db
from pb.models import (
    AccountSession,
    AuditEntry,
    Ballot,
    Comment,
    OutboxMessage,
    Proposal,
    SitePage,
    User,
    UserRole,
)
from pb.models.notification import Follow, Notification, NotificationPreference
from pb.services import accounts, voting
from pb.services.mail import send_mail
from tests.conftest import PASSWORD, text
from tests.factories import key, make_proposal, post


def mails(to: str) -> list[OutboxMessage]:
    return list(db.session.scalars(sa.select(OutboxMessage).where(
        OutboxMessage.recipient == to).order_by(OutboxMessage.id)))


def confirm_path(to: str) -> str:
    found = re.search(r"http://pb\.test(/account/email/\S+)", mails(to)[-1].body)
    assert found, "no confirmation link in the email"
    return found.group(1)


@pytest.fixture()
def sam(make_user: Any, login: Any) -> User:
    return login(make_user(email="sam@example.org", name="Sam"))


def test_change_display_name(client: Any, sam: User) -> None:
    response = client.post("/account/name", data={"name-display_name": "  Sam Jones "})
    assert response.status_code == 302
    assert db.session.get(User, sam.id).display_name == "Sam Jones"
    page = text(client.get("/account/"))
    assert 'value="Sam Jones"' in page


def test_an_empty_name_is_refused(client: Any, sam: User) -> None:
    response = client.post("/account/name", data={"name-display_name": "   "})
    assert response.status_code == 400
    assert "Enter the name other people will see." in text(response)
    assert db.session.get(User, sam.id).display_name == "Sam"


def test_email_changes_only_when_the_link_to_the_new_address_is_used(
        client: Any, sam: User) -> None:
    response = client.post("/account/email", data={"email-email": "Sam.New@Example.org",
                                                   "email-password": PASSWORD})
    assert response.status_code == 302
    assert db.session.get(User, sam.id).email == "sam@example.org"
    assert "asked to change your email address" in mails("sam@example.org")[-1].subject
    path = confirm_path("sam.new@example.org")
    # Opening the link (as a mail scanner would) changes nothing; the button does.
    page = client.get(path)
    assert page.status_code == 200 and "sam.new@example.org" in text(page)
    assert db.session.get(User, sam.id).email == "sam@example.org"
    assert client.post(path).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, sam.id)
    assert user.email == "sam.new@example.org" and user.email_verified_at is not None
    assert "was changed" in mails("sam@example.org")[-1].subject
    assert accounts.authenticate("sam.new@example.org", PASSWORD) is not None
    # Used once: the same link again is explained, and changes nothing.
    again = client.post(path)
    assert again.status_code == 400
    assert "already been used" in text(again)


def test_email_already_used_by_another_account_is_refused(
        client: Any, sam: User, make_user: Any) -> None:
    make_user(email="taken@example.org")
    response = client.post("/account/email", data={"email-email": "taken@example.org",
                                                   "email-password": PASSWORD})
    assert response.status_code == 400
    assert "Another account already uses that email address" in text(response)
    assert mails("taken@example.org") == [] and len(mails("sam@example.org")) == 0
    assert db.session.get(User, sam.id).email == "sam@example.org"


def test_email_change_needs_the_password(client: Any, sam: User) -> None:
    response = client.post("/account/email", data={"email-email": "new@example.org",
                                                   "email-password": "not my password"})
    assert response.status_code == 400
    assert "That is not your password" in text(response)
    assert mails("new@example.org") == []


def test_an_expired_email_link_changes_nothing(app: Any, client: Any, sam: User) -> None:
    client.post("/account/email", data={"email-email": "late@example.org",
                                        "email-password": PASSWORD})
    path = confirm_path("late@example.org")
    app.config["PB_EMAIL_TOKEN_MAX_AGE"] = -1
    for response in (client.get(path), client.post(path)):
        assert response.status_code == 400
        assert "This confirmation link has expired" in text(response)
    assert db.session.get(User, sam.id).email == "sam@example.org"


def test_a_damaged_email_link_is_explained(client: Any, sam: User) -> None:
    client.post("/account/email", data={"email-email": "x@example.org",
                                        "email-password": PASSWORD})
    response = client.post(confirm_path("x@example.org")[:-3] + "abc")
    assert response.status_code == 400
    assert "not valid" in text(response)
    assert db.session.get(User, sam.id).email == "sam@example.org"


def test_an_address_taken_before_the_link_is_used_is_refused(
        client: Any, sam: User, make_user: Any) -> None:
    client.post("/account/email", data={"email-email": "race@example.org",
                                        "email-password": PASSWORD})
    path = confirm_path("race@example.org")
    make_user(email="race@example.org")
    response = client.post(path)
    assert response.status_code == 400
    assert "started using that email address" in text(response)
    assert db.session.get(User, sam.id).email == "sam@example.org"


def _active(make_round: Any, sam: User) -> tuple[Any, Proposal, Comment]:
    """Sam proposed a project, commented, and voted in a round."""
    proposal = make_proposal(make_round, title="Benches by the pond")
    proposal.author_id = sam.id
    db.session.commit()
    comment = post(sam, proposal, "The pond needs benches, truly.")
    round_ = proposal.round
    officer = db.session.get(User, round_.created_by_id)
    from pb.services import rounds

    rounds.do_change_phase(officer, round_, "voting")
    cast = voting.do_cast(round_, voting.Voter(round_.id, f"user:{sam.id}"),
                          [str(proposal.id)], key())
    round_.receipt = cast.receipt
    return round_, proposal, comment


def test_account_page_lists_my_proposals_comments_and_rounds_never_how(
        client: Any, sam: User, make_round: Any) -> None:
    round_, proposal, comment = _active(make_round, sam)
    page = text(client.get("/account/"))
    assert "Benches by the pond" in page
    assert f"/proposals/{proposal.id}#comment-{comment.id}" in page
    assert f'href="/rounds/{round_.id}"' in page
    assert "Only that you voted is shown here, never how." in page


def test_download_my_data(client: Any, sam: User, make_round: Any) -> None:
    round_, proposal, comment = _active(make_round, sam)
    response = client.get("/account/my-data")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "sam@example.org"
    assert data["proposals"][0]["title"] == "Benches by the pond"
    assert data["comments"][0]["body"] == "The pond needs benches, truly."
    voted = data["voted_in"]
    assert [v["round"] for v in voted] == [round_.id] and voted[0]["receipt"]
    # Which rounds, never how: no ballot contents anywhere in the file.
    assert "items" not in json.dumps(voted) and "password" not in json.dumps(data["account"])
    assert data["sessions"][0]["browser"] is not None and data["council_terms"] == []
    assert data["account"]["roles"][0]["role"] == "resident"
    # What notifications keep: my follows (my own proposal, by default), settings, the list.
    assert proposal.id in [f["proposal"] for f in data["follows"] if f["following"]]
    assert data["notification_settings"] == {} and isinstance(data["notifications"], list)


def test_deleting_explains_first_and_needs_the_password(
        client: Any, sam: User, make_round: Any) -> None:
    _active(make_round, sam)
    page = client.get("/account/delete")
    assert page.status_code == 200
    assert "a former member" in text(page) and "cannot be undone" in text(page)
    response = client.post("/account/delete", data={"password": "wrong password here"})
    assert response.status_code == 400
    assert "That is not your password" in text(response)
    assert db.session.get(User, sam.id) is not None


def test_deleting_keeps_comments_as_a_former_member_and_ballots_anonymous(
        client: Any, sam: User, make_round: Any) -> None:
    round_, proposal, comment = _active(make_round, sam)
    send_mail("sam@example.org", "Voting closes tomorrow", "Not sent yet.")
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert mails("sam@example.org") == []  # nothing still waiting reaches someone gone
    assert db.session.get(User, sam.id) is None
    assert accounts.find_by_email("sam@example.org") is None
    for model in (UserRole, AccountSession, Follow, Notification, NotificationPreference):
        assert db.session.scalar(sa.select(model).where(model.user_id == sam.id)) is None
    kept = db.session.get(Comment, comment.id)
    assert kept.author_id is None and kept.body == "The pond needs benches, truly."
    assert db.session.get(Proposal, proposal.id).author_id is None
    ballots = db.session.scalars(sa.select(Ballot).where(Ballot.round_id == round_.id)).all()
    assert len(ballots) == 1 and ballots[0].voter_key.startswith("former:")
    assert voting.receipt_status(round_, round_.receipt) == "stored"  # the receipt still checks
    assert "A former member" in text(client.get(f"/proposals/{proposal.id}"))
    # Logged out, everywhere: the account page asks to log in.
    assert "/account/login" in client.get("/account/").headers["Location"]
    assert db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "user.deleted", AuditEntry.subject_id == sam.id)) is not None


def test_deleting_may_remove_the_text_of_my_comments(
        client: Any, sam: User, make_round: Any, make_user: Any) -> None:
    round_, proposal, comment = _active(make_round, sam)
    reply = post(make_user(), proposal, "Agreed, and some shade.", parent=comment)
    client.post("/account/delete", data={"password": PASSWORD, "remove_comments": "y"})
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == ""
    assert db.session.get(Comment, reply.id).body == "Agreed, and some shade."
    assert "Removed by its author." in text(client.get(f"/proposals/{proposal.id}"))


def test_the_last_admin_cannot_delete_their_account(
        client: Any, make_user: Any, login: Any) -> None:
    admin = login(make_user("admin", email="only-admin@example.org"))
    page = text(client.get("/account/delete"))
    assert "You are the only admin" in page
    response = client.post("/account/delete", data={"password": PASSWORD})
    assert response.status_code == 400
    assert "You are the only admin" in text(response)
    assert db.session.get(User, admin.id) is not None
    make_user("admin")  # with a second admin, it can go
    assert client.post("/account/delete", data={"password": PASSWORD}).status_code == 302
    assert db.session.get(User, admin.id) is None


# Privacy notice, accessibility statement, favicon ------------------------------------------

@pytest.mark.parametrize("lang, locale", [("en", "en_GB"), ("cy", "cy_GB")])
def test_every_page_links_both_statements_and_the_favicon(
        client: Any, lang: str, locale: str) -> None:
    with force_locale(locale):
        privacy, accessibility = gettext("Privacy notice"), gettext("Accessibility statement")
    page = text(client.get(f"/?lang={lang}"))
    assert f'<a href="/privacy">{privacy}</a>' in page
    assert f'<a href="/accessibility">{accessibility}</a>' in page
    assert re.search(r'<link rel="icon"[^>]+icons/pb-192', page)
    assert re.search(r'<link rel="apple-touch-icon"[^>]+icons/pb-192', page)


def test_default_statements_name_the_organisation(app: Any, client: Any) -> None:
    app.config.update(PB_ORGANISATION="Northfield Town Council",
                      PB_CONTACT_EMAIL="privacy@northfield.example")
    privacy = text(client.get("/privacy"))
    assert "Northfield Town Council runs this participatory budgeting site" in privacy
    assert "privacy@northfield.example" in privacy and "ico.org.uk" in privacy
    accessibility = text(client.get("/accessibility?lang=cy"))
    assert "Northfield Town Council" in accessibility and 'lang="cy"' in accessibility


def test_registration_shows_the_privacy_notice(client: Any) -> None:
    page = text(client.get("/account/register"))
    assert "How we use your details" in page and 'href="/privacy"' in page


def test_admins_rewrite_a_statement_per_language_safely(
        client: Any, make_user: Any, login: Any) -> None:
    login(make_user("admin"))
    response = client.post("/admin/pages/privacy?language=cy", data={
        "body": "## Ein polisi\n\nCysylltwch â ni. <script>alert(1)</script>"})
    assert response.status_code == 302
    welsh = client.get("/privacy?lang=cy").get_data(as_text=True)
    assert "<h2>Ein polisi</h2>" in welsh and "<script>alert" not in welsh
    assert "Ein polisi" not in text(client.get("/privacy?lang=en"))  # English keeps its own
    client.post("/admin/pages/privacy?language=cy", data={"body": "  "})
    assert db.session.scalar(sa.select(SitePage)) is None
    assert "Ein polisi" not in text(client.get("/privacy?lang=cy"))


def test_an_unknown_language_or_page_is_not_found(
        client: Any, make_user: Any, login: Any) -> None:
    login(make_user("admin"))
    assert client.get("/admin/pages/privacy?language=fr").status_code == 404
    assert client.get("/admin/pages/cookies").status_code == 404
