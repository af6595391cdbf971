"""Notifications in Chromium at phone size, in English and Welsh: a resident follows a
proposal, an officer reviews it, the resident gets the email (read from the outbox) in their
language, unsubscribes in one click, and finds the notification on the site."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from e2e.conftest import log_in, new_page

PASSWORD = "afonbridge-demo-2026"
RESIDENT_PASSWORD = "a long walk by the river"


def _world(live_app: Any, lang: str) -> tuple[str, int]:
    """Make a resident (nobody else's rows are touched) and a proposal by someone else in the
    round taking proposals; return the resident's email and the proposal's id."""
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import Round
    from pb.services import accounts, proposals

    tag = uuid.uuid4().hex[:8]
    with live_app.app_context():
        resident = accounts.do_register(f"follow-{lang}-{tag}@e2e.example.org", "Nia Follower",
                                        RESIDENT_PASSWORD)
        author = accounts.do_register(f"author-{lang}-{tag}@e2e.example.org", "Dai Author",
                                      RESIDENT_PASSWORD)
        round_ = db.session.scalar(sa.select(Round).where(Round.title == "Green Northfield 2027"))
        proposal = proposals.do_create(author, round_, proposals.ProposalData(
            title=f"Wildflower verges {tag}", summary="Let the verges on Mill Lane grow.",
            body="Mow twice a year.", cost_minor=400_000, category="Environment",
            area="Northfield"), submit=True)[0]
        found = resident.email, proposal.id
        db.session.remove()
    return found


def _review_email(live_app: Any, email: str) -> Any:
    import sqlalchemy as sa

    from pb.extensions import db
    from pb.models import OutboxMessage

    with live_app.app_context():
        message = db.session.scalars(sa.select(OutboxMessage).where(
            OutboxMessage.recipient == email).order_by(OutboxMessage.id.desc())).first()
        db.session.expunge_all()
        db.session.remove()
    return message


def _preference(live_app: Any, email: str) -> str:
    from pb.services import accounts, notifications

    with live_app.app_context():
        chosen = notifications.preferences(accounts.find_by_email(email))["review"]
        from pb.extensions import db

        db.session.remove()
    return chosen


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_follow_review_email_unsubscribe_and_the_list(browser: Any, base_url: str, shot: Any,
                                                      live_app: Any, lang: str) -> None:
    email, proposal_id = _world(live_app, lang)

    resident: Page = new_page(browser, base_url, lang, "light")
    log_in(resident, email, RESIDENT_PASSWORD)
    resident.goto(f"/proposals/{proposal_id}")
    follow = resident.locator(".follow-button")
    expect(follow).to_have_attribute("data-following", "false")
    expect(resident.locator(".count-badge")).to_have_count(0)  # nothing unread yet
    follow.click()
    expect(resident.locator(".follow-button")).to_have_attribute("data-following", "true")
    shot(resident, f"{lang}-following")

    officer = new_page(browser, base_url, "en", "light")
    log_in(officer, "officer@demo.example.org", PASSWORD)
    officer.goto(f"/proposals/{proposal_id}")
    officer.get_by_label("Decision").select_option("not_feasible")
    officer.get_by_label("Public note").fill("The verges are needed for sight lines at the "
                                             "junction.")
    officer.get_by_role("button", name="Publish the decision").click()
    expect(officer.get_by_role("status")).to_contain_text("Your decision was saved")
    officer.context.close()

    mail = _review_email(live_app, email)
    assert mail is not None and "Wildflower verges" in mail.subject
    assert "sight lines" in mail.body and mail.html
    words = "Ddim yn ddichonadwy" if lang == "cy" else "Not feasible"
    assert words.lower() in mail.subject.lower(), mail.subject
    assert mail.unsubscribe_url.startswith(base_url + "/unsubscribe/")

    # One click from the email, in a browser that is not logged in.
    stranger = new_page(browser, base_url, lang, "light")
    stranger.goto(mail.unsubscribe_url)
    shot(stranger, f"{lang}-unsubscribe-confirm")
    assert _preference(live_app, email) == "immediately"  # opening the link changes nothing
    stranger.locator("main form button[type=submit]").click()
    expect(stranger.locator("main .flash-success")).to_contain_text(email)
    shot(stranger, f"{lang}-unsubscribed")
    assert _preference(live_app, email) == "never"
    # A mail program's one-click POST (RFC 8058): no login, no CSRF token.
    answer = stranger.request.post(mail.unsubscribe_url,
                                   form={"List-Unsubscribe": "One-Click"})
    assert answer.status == 200
    tampered = stranger.request.post(mail.unsubscribe_url[:-3] + "abc")
    assert tampered.status == 400
    stranger.context.close()

    resident.goto("/")
    expect(resident.locator(".count-badge")).to_contain_text("1")
    resident.locator(".main-nav a[href='/notifications/']").click()
    item = resident.locator(".notification.is-unread a")
    expect(item).to_contain_text("Wildflower verges")
    shot(resident, f"{lang}-notifications")
    item.click()
    expect(resident).to_have_url(re.compile(rf".*/proposals/{proposal_id}$"))
    expect(resident.locator(".count-badge")).to_have_count(0)
    resident.goto("/notifications/settings")
    shot(resident, f"{lang}-settings")
    expect(resident.locator("#review-never")).to_be_checked()
    resident.context.close()
